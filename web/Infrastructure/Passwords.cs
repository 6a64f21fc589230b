using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// Hashes and checks passwords and one-time codes (ASP.NET Core's PasswordHasher). Every check costs one hash
/// verification, also when there is nothing to compare with (an unknown phone number, no live code): a dummy hash is
/// verified instead, so a known and an unknown number take the same time and the answer's speed names no account.
/// </summary>
public sealed class Passwords
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object NoUser = new();
    private readonly string dummyHash = Hasher.HashPassword(NoUser, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
    private long verifications;

    /// <summary>Hash verifications run by this process (the tests compare a known and an unknown phone number with it).</summary>
    public long Verifications => Interlocked.Read(ref verifications);

    public string Hash(string password) => Hasher.HashPassword(NoUser, password);

    /// <summary>Checks <paramref name="password"/> against <paramref name="hash"/>, or against a dummy hash (always Failed) when there is none.</summary>
    public PasswordVerificationResult Verify(string? hash, string password)
    {
        Interlocked.Increment(ref verifications);
        var result = Hasher.VerifyHashedPassword(NoUser, hash ?? dummyHash, password);
        return hash is null ? PasswordVerificationResult.Failed : result;
    }
}
