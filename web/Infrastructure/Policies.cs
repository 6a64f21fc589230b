namespace Cho40.Web.Infrastructure;

public static class Policies
{
    public const string Admin = "admin";
    public const string SellerMember = "seller";
    public const string MarketManager = "market-manager";
    /// <summary>Stallholders and the community digital helpers who set stalls up for them.</summary>
    public const string StallKeeper = "stall-keeper";
    /// <summary>Province viewers and admins: the province dashboard.</summary>
    public const string ProvinceViewer = "province-viewer";
}
