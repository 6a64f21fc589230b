namespace Cho40.Db.Domain;

/// <summary>Role names as stored in <c>user_roles.role</c> and carried in the sign-in cookie.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string MarketManager = "market_manager";
    public const string SellerMember = "seller_member";
    public const string Stallholder = "stallholder";
    /// <summary>Tổ công nghệ số cộng đồng: a volunteer who sets up stalls for elderly stallholders.</summary>
    public const string DigitalHelper = "digital_helper";
    /// <summary>Cán bộ tỉnh: reads the province dashboard of the provinces linked to them (province_viewers); no personal data.</summary>
    public const string ProvinceViewer = "province_viewer";

    public static readonly IReadOnlyList<string> All = [Admin, MarketManager, SellerMember, Stallholder, DigitalHelper, ProvinceViewer];
}
