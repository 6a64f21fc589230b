namespace Cho40.Web;

/// <summary>
/// Anchor for the shared string resources. Keys are the Vietnamese text as written in the pages;
/// Resources/SharedResource.en.resx holds the English.
/// </summary>
public sealed class SharedResource;
