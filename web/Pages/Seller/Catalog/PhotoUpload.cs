using Cho40.Db;
using Cho40.Web.Catalog;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>Reads uploaded photo files and checks each one by decoding it (<see cref="ProductPhotos.InspectAsync"/>).</summary>
public static class PhotoUpload
{
    public const int MaxFilesPerRequest = 3;

    /// <summary>Three photos of 8 MB and the rest of the form.</summary>
    public const long MaxRequestBytes = MaxFilesPerRequest * ProductPhotos.MaxBytes + 1024 * 1024;

    /// <summary>The checked photos, or null after adding every problem (file name: reason) to <paramref name="key"/>.</summary>
    public static async Task<List<MediaBlob>?> CheckAsync(IReadOnlyList<IFormFile> files, ModelStateDictionary modelState, string key,
        IStringLocalizer t, CancellationToken cancellationToken)
    {
        var photos = new List<MediaBlob>();
        var files2 = files.Where(f => f.Length > 0 || f.FileName.Length > 0).ToList();
        if (files2.Count > MaxFilesPerRequest)
        {
            modelState.AddModelError(key, t["Mỗi lần tải lên tối đa {0} ảnh.", MaxFilesPerRequest]);
            return null;
        }
        var ok = true;
        foreach (var file in files2)
        {
            string? error;
            if (file.Length > ProductPhotos.MaxBytes) error = ProductPhotos.TooLargeError;
            else
            {
                var bytes = new byte[file.Length];
                await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, cancellationToken);
                var check = await ProductPhotos.InspectAsync(bytes, cancellationToken);
                error = check.Error;
                if (check.Blob is not null) photos.Add(check.Blob);
            }
            if (error is not null)
            {
                modelState.AddModelError(key, $"{Path.GetFileName(file.FileName)}: {t[error]}");
                ok = false;
            }
        }
        return ok ? photos : null;
    }
}
