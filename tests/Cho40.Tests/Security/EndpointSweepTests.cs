using System.Net;
using AngleSharp.Html.Dom;
using Cho40.Tests.Infrastructure;
using static Cho40.Tests.Security.Role;

namespace Cho40.Tests.Security;

/// <summary>
/// One request of the sweep. <paramref name="Allowed"/> roles must get 200 (for a GET: the positive case that proves
/// the ids are real); every other role must be refused (404/403/401 or a redirect to sign-in / access denied) when
/// <paramref name="Strict"/>, and must at least not fail (no 5xx) otherwise. Every response of every role is searched
/// for the markers of data that role may not see, unless <paramref name="MarksExempt"/> (capability links).
/// For POSTs the allowed roles are not sent (writes are the owners' own tests); every refused POST must leave the
/// database unchanged. <paramref name="Send"/> = false only for POSTs whose effect is on the caller's own session.
/// <paramref name="OwnerToo"/>: a POST that writes nothing (re-renders the form) is sent by the allowed roles as well,
/// who must get 200 — proof that the forged form and token reach the handler.
/// </summary>
public sealed record Probe(string Url, Role[] Allowed, bool Strict = true, bool MarksExempt = false, bool Send = true,
    string? FormPage = null, Dictionary<string, string>? Fields = null, bool OwnerToo = false);

[Trait("Speed", "Slow")]
public sealed class EndpointSweepTests(SecurityWorld world) : IClassFixture<SecurityWorld>
{
    private static readonly Role[] Everyone = Enum.GetValues<Role>();
    private static readonly Role[] SignedIn = Everyone.Where(r => r != Anonymous).ToArray();
    private static readonly Role[] Nobody = [];
    private static readonly Role[] Members = [SellerA, SellerB];
    private static readonly Role[] Keepers = [StallOwner, Helper];

    private static Probe Public(string url) => new(url, Everyone);
    private static Probe Lenient(string url, bool send = true) => new(url, Everyone, Strict: false, Send: send);
    private static Probe Only(string url, params Role[] allowed) => new(url, allowed);

    /// <summary>
    /// Every endpoint of the app, classified by a person. A new page, handler or API that is not in this table
    /// fails the sweep until someone decides who may use it (README "Security checks").
    /// </summary>
    internal static readonly Dictionary<string, Probe[]> Table = new()
    {
        // ---- public: the shop, trace pages, public APIs, health -------------------------------------------------
        ["GET /"] = [Public("/")],
        ["* /healthz"] = [Public("/healthz")],
        ["GET " + EndpointCatalog.StaticFiles] = [Public("/css/site.css"), Public("/js/charge.js")],
        ["GET /01/{gtin}/10/{lot}"] = [Public("/01/08936042000017/10/TC2025-A")],
        ["GET /01/{gtin}/10/{lot}/21/{serial}"] = [Public("/01/08936042000017/10/TC2025-A/21/K7M4Q2XPAB")],
        ["GET /01/{gtin}/21/{serial}"] = [Public("/01/08936042000017/21/K7M4Q2XPAB")],
        ["GET /t"] = [Lenient("/t?code=TCDB25AQ")],
        ["GET /t/{code}/{serial?}"] = [Public("/t/TCDB25AQ"), Public("/t/TCDB25AQ/K7M4Q2XPAB")],
        ["GET /trace/img/{sha256:regex(^[0-9a-f]{{64}}$)}/{width:int}.webp"] = [new(("/trace/img/" + new string('a', 64) + "/160.webp"), Nobody)],
        ["GET /Account/SignIn"] = [Public("/Account/SignIn")],
        ["GET /Account/SignUp"] = [Public("/Account/SignUp")],
        ["GET /Stall/Activate"] = [Public("/Stall/Activate")],
        ["GET /Culture"] = [Lenient("/Culture")],
        ["GET /Error"] = [Public("/Error")],
        ["POST /Error"] = [Lenient("/Error")],
        ["GET /bench/minimal"] = [new("/bench/minimal", Nobody)],          // mapped only when Cho40:Bench is on
        ["GET /bench/minimal?handler=SearchIndex"] = [new("/bench/minimal?handler=SearchIndex", Nobody)],
        ["GET /bench/minimal-trace"] = [new("/bench/minimal-trace", Nobody)],
        ["GET /danh-muc/{slug}"] = [Public("/danh-muc/che-tra")],
        ["GET /nguoi-ban/{slug}"] = [Public("/nguoi-ban/htx-che-tan-cuong")],
        ["GET /san-pham/{slug}"] = [Public("/san-pham/{publishedSlug}"), new("/san-pham/{draftSlug}", Nobody)],
        ["POST /san-pham/{slug}?handler=AddToCart"] = [Lenient("/san-pham/{publishedSlug}?handler=AddToCart"), new("/san-pham/{draftSlug}?handler=AddToCart", Nobody)],
        ["GET /search"] = [Public("/search?q=che"), Public("/search?q=ch%C3%A8+th%E1%BB%AD"), Public("/search?q=che+thu")],
        ["GET /gio-hang"] = [Public("/gio-hang")],
        ["POST /gio-hang?handler=Update"] = [Lenient("/gio-hang?handler=Update")],
        ["GET /thanh-toan"] = [Lenient("/thanh-toan")],
        ["POST /thanh-toan"] = [Lenient("/thanh-toan")],
        ["GET /api/communes"] = [Public("/api/communes?province=19")],
        ["GET /tra-cuu-don-hang"] = [Public("/tra-cuu-don-hang")],
        ["POST /tra-cuu-don-hang"] = [Lenient("/tra-cuu-don-hang", send: false)], // rate limit and non-enumeration: GuestOrderLookupTests
        ["GET /img/p/{imageId:long}/{width:int}.webp"] = [Only("/img/p/{image}/160.webp", SellerB)], // a draft's photo
        ["GET /cho"] = [Public("/cho")],
        ["GET /cho/{slug}"] = [Public("/cho/cho-thai"), Public("/cho/cho-dong-quang?culture=en")],
        ["GET /img/m/{sha256:regex(^[0-9a-f]{{64}}$)}/{width:int}.webp"] = [new("/img/m/" + new string('b', 64) + "/480.webp", Nobody)],
        ["GET /du-lieu-mo"] = [Public("/du-lieu-mo")],
        ["GET /du-lieu-mo/{name}"] = [Public("/du-lieu-mo/cho40-tuan.csv"), Public("/du-lieu-mo/cho40-thang.json"), Public("/du-lieu-mo/datapackage.json")],
        ["GET /api/vietqr"] = [Public("/api/vietqr?bin=970436&account=0011001234567")],
        ["GET /api/vietqr.png"] = [Public("/api/vietqr.png?bin=970436&account=0011001234567")],
        ["GET /api/vietqr.svg"] = [Public("/api/vietqr.svg?bin=970436&account=0011001234567")],
        ["POST /api/vietqr/parse"] = [Lenient("/api/vietqr/parse")],
        // A bank connection's address: a made-up token is refused for everyone, and so is an unsigned delivery (signed
        // ones: WebhookAbuseTests, BankServiceFormatTests); the token endpoint of SePay's OAuth mode likewise.
        ["GET /api/bank-notifications/{provider}/{token}"] = [new("/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA", Nobody)],
        ["POST /api/bank-notifications/{provider}/{token}"] = [new("/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA", Nobody),
            new("/api/bank-notifications/casso/AAAAAAAAAAAAAAAAAAAAAA", Nobody)],
        ["POST /api/bank-notifications/{provider}/{token}/oauth/token"] = [new("/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA/oauth/token", Nobody)],
        // Carrier webhooks without the account's secret are refused for everyone (with it: CarrierWebhookTests).
        ["POST /api/carrier-notifications/{carrier}"] = [new("/api/carrier-notifications/ghn", Nobody), new("/api/carrier-notifications/ghtk?hash=x", Nobody),
            new("/api/carrier-notifications/viettelpost", Nobody)],

        // ---- capability links: the 128-bit token in the address is the key ---------------------------------------
        ["GET /don-hang/{token}"] = [new("/don-hang/{orderToken}", Everyone, MarksExempt: true), new("/don-hang/AAAAAAAAAAAAAAAAAAAAAA", Nobody)],
        ["GET /don-hang/{token}?handler=VietQr"] = [new("/don-hang/{orderToken}?handler=VietQr", Everyone, Strict: false, MarksExempt: true),
            new("/don-hang/AAAAAAAAAAAAAAAAAAAAAA?handler=VietQr", Nobody)],
        // The QR of an order's payOS link: only when the collection account is on payOS and the link was made (else 404).
        ["GET /don-hang/{token}?handler=PayOsQr"] = [new("/don-hang/{orderToken}?handler=PayOsQr", Everyone, Strict: false, MarksExempt: true),
            new("/don-hang/AAAAAAAAAAAAAAAAAAAAAA?handler=PayOsQr", Nobody)],
        ["GET /don-hang/nhom/{token}"] = [new("/don-hang/nhom/{groupToken}", Everyone, MarksExempt: true), new("/don-hang/nhom/AAAAAAAAAAAAAAAAAAAAAA", Nobody)],

        // ---- the caller's own session and account ---------------------------------------------------------------
        ["POST /Account/SignIn"] = [Lenient("/Account/SignIn", send: false)],   // rate limit and lockout: RateLimitTests
        ["POST /Account/SignUp"] = [Lenient("/Account/SignUp", send: false)],
        ["POST /Stall/Activate"] = [Lenient("/Stall/Activate", send: false)],
        ["POST /Culture"] = [Lenient("/Culture", send: false)],
        ["GET /Account"] = [Only("/Account", SignedIn)],
        ["GET /Account/Orders"] = [Only("/Account/Orders", SignedIn)],
        ["GET /Account/Password"] = [Only("/Account/Password", SignedIn)],
        ["POST /Account/Password"] = [new("/Account/Password", SignedIn, Send: false)],            // SessionTests
        ["POST /Account?handler=SignOutOthers"] = [new("/Account?handler=SignOutOthers", SignedIn, Send: false)],
        ["GET /Account/SignOut"] = [new("/Account/SignOut", SignedIn, Strict: false)],
        ["POST /Account/SignOut"] = [new("/Account/SignOut", SignedIn, Send: false)],
        ["GET /Seller/Apply"] = [Only("/Seller/Apply", SignedIn)],
        ["GET /Seller"] = [Only("/Seller", SignedIn)],
        ["POST /Seller/Apply"] = [new("/Seller/Apply", SignedIn, Send: false)],
        ["POST /Seller/Apply?handler=Province"] = [new("/Seller/Apply?handler=Province", SignedIn, Send: false)],

        // ---- admin ----------------------------------------------------------------------------------------------
        ["* /hangfire/{**path}"] = [Only("/hangfire", Admin), Only("/hangfire/jobs/enqueued", Admin)],
        ["GET /Admin"] = [Only("/Admin", Admin)],
        ["GET /Admin/Accounts"] = [Only("/Admin/Accounts", Admin)],
        ["POST /Admin/Accounts"] = [new("/Admin/Accounts", [Admin], Fields: new() { ["Phone"] = "0900000006" })],
        ["GET /Admin/Cod"] = [Only("/Admin/Cod", Admin)],
        ["GET /Admin/Cod?handler=Template"] = [Only("/Admin/Cod?handler=Template", Admin)],
        ["POST /Admin/Cod"] = [Only("/Admin/Cod", Admin)],
        ["GET /Admin/Cod/Review"] = [Only("/Admin/Cod/Review", Admin)],
        ["POST /Admin/Cod/Review"] = [Only("/Admin/Cod/Review", Admin)],
        ["GET /Admin/Cod/Statement/{id:long}"] = [Only("/Admin/Cod/Statement/{statement}", Admin)],
        ["GET /Admin/Cod/Mapping/{id:long}"] = [Only("/Admin/Cod/Mapping/{upload}", Admin)],
        ["POST /Admin/Cod/Mapping/{id:long}"] = [Only("/Admin/Cod/Mapping/{upload}", Admin)],
        ["POST /Admin/Cod/Mapping/{id:long}?handler=Discard"] = [new("/Admin/Cod/Mapping/{upload}?handler=Discard", [Admin], Send: false)],
        ["POST /Admin/Cod/Review?handler=RecordReturn"] = [Only("/Admin/Cod/Review?handler=RecordReturn", Admin)],
        ["GET /Admin/Carriers"] = [Only("/Admin/Carriers", Admin)],
        ["POST /Admin/Carriers"] = [Only("/Admin/Carriers", Admin)],
        ["POST /Admin/Carriers?handler=Rotate"] = [new("/Admin/Carriers?handler=Rotate", [Admin], Fields: new() { ["id"] = "{carrierAccount}" })],
        ["POST /Admin/Cod/Statement/{id:long}?handler=Reconcile"] = [Only("/Admin/Cod/Statement/{statement}?handler=Reconcile", Admin)],
        ["GET /Admin/Orders"] = [Only("/Admin/Orders", Admin)],
        ["GET /Admin/Orders/{id:long}"] = [Only("/Admin/Orders/{order}", Admin)],
        ["POST /Admin/Orders/{id:long}?handler=Cancel"] = [Only("/Admin/Orders/{order}?handler=Cancel", Admin)],
        ["POST /Admin/Orders/{id:long}?handler=Confirm"] = [Only("/Admin/Orders/{order}?handler=Confirm", Admin)],
        ["POST /Admin/Orders/{id:long}?handler=Deliver"] = [Only("/Admin/Orders/{order}?handler=Deliver", Admin)],
        ["POST /Admin/Orders/{id:long}?handler=Return"] = [Only("/Admin/Orders/{order}?handler=Return", Admin)],
        ["POST /Admin/Orders/{id:long}?handler=Ship"] = [Only("/Admin/Orders/{order}?handler=Ship", Admin)],
        ["GET /Admin/Sellers"] = [Only("/Admin/Sellers", Admin)],
        ["POST /Admin/Sellers?handler=Approve"] = [new("/Admin/Sellers?handler=Approve", [Admin], Fields: new() { ["sellerId"] = "{sellerB}" })],
        ["POST /Admin/Sellers?handler=Reject"] = [new("/Admin/Sellers?handler=Reject", [Admin], Fields: new() { ["sellerId"] = "{sellerB}" })],
        ["GET /Admin/Settlement"] = [Only("/Admin/Settlement", Admin)],
        ["POST /Admin/Settlement"] = [Only("/Admin/Settlement", Admin)],
        ["GET /Admin/Settlement/Run/{id:long}"] = [Only("/Admin/Settlement/Run/{run}", Admin)],
        ["GET /Admin/Settlement/Run/{id:long}?handler=BankCsv"] = [Only("/Admin/Settlement/Run/{run}?handler=BankCsv", Admin)],
        ["GET /Admin/BankConnection"] = [Only("/Admin/BankConnection", Admin)],
        ["GET /Admin/BankConnection?handler=Status"] = [Only("/Admin/BankConnection?handler=Status", Admin)],
        ["POST /Admin/BankConnection?handler=Create"] = [new("/Admin/BankConnection?handler=Create", [Admin], Fields: new() { ["AuthMode"] = "apikey" })],
        ["POST /Admin/BankConnection?handler=Rotate"] = [Only("/Admin/BankConnection?handler=Rotate", Admin)],
        ["POST /Admin/BankConnection?handler=Revoke"] = [Only("/Admin/BankConnection?handler=Revoke", Admin)],
        ["POST /Admin/BankConnection?handler=ServiceKey"] = [new("/Admin/BankConnection?handler=ServiceKey", [Admin], Fields: new() { ["ServiceKey"] = "whsec_attacker_key" })],
        ["POST /Admin/BankConnection?handler=PayOsKeys"] = [Only("/Admin/BankConnection?handler=PayOsKeys", Admin)],
        ["POST /Admin/BankConnection?handler=ApiToken"] = [new("/Admin/BankConnection?handler=ApiToken", [Admin], Fields: new() { ["SyncApi"] = "sepay_v1", ["ApiToken"] = "attacker-token" })],
        ["POST /Admin/BankConnection?handler=ConfirmPayOs"] = [Only("/Admin/BankConnection?handler=ConfirmPayOs", Admin)],
        ["GET /Admin/SimulateTransfer"] = [Only("/Admin/SimulateTransfer", Admin)],
        ["POST /Admin/SimulateTransfer"] = [Only("/Admin/SimulateTransfer", Admin)],

        ["GET /Admin/Reports"] = [Only("/Admin/Reports", Admin)],
        ["POST /Admin/Reports?handler=Backfill"] = [Only("/Admin/Reports?handler=Backfill", Admin)],
        ["GET /Admin/Reports/{kind}/{scopeId:long}"] = [Only("/Admin/Reports/seller/{sellerB}", Admin), Only("/Admin/Reports/stall/{stall}", Admin),
            Only("/Admin/Reports/market/{market}", Admin)],
        ["GET /Admin/Reports/{kind}/{scopeId:long}?handler=Csv"] = [Only("/Admin/Reports/seller/{sellerB}?handler=Csv", Admin)],
        ["GET /Admin/Reports/{kind}/{scopeId:long}?handler=Pdf"] = [Only("/Admin/Reports/stall/{stall}?handler=Pdf", Admin)],
        ["GET /Admin/Reports/{kind}/{scopeId:long}?handler=Xlsx"] = [Only("/Admin/Reports/market/{market}?handler=Xlsx", Admin)],
        ["POST /Admin/Settlement/Run/{id:long}?handler=Decide"] = [new("/Admin/Settlement/Run/{run}?handler=Decide", [Admin],
            Fields: new() { ["Input.SellerId"] = "{sellerB}", ["Input.Outcome"] = "paid", ["Input.BankReference"] = "FT-ZQ7" })],

        // ---- market managers: their own markets; market Y is managed by nobody but admins -----------------------
        ["GET /Market"] = [Only("/Market", Manager, Admin)],
        ["GET /Market/Inbox"] = [Only("/Market/Inbox", Manager, Admin)],
        ["POST /Market/Inbox?handler=Resolve"] = [new("/Market/Inbox?handler=Resolve", [Admin], Fields: new() { ["itemId"] = "{inboxItem}" })],
        ["GET /Market/{marketId:long}/Signs"] = [Only("/Market/{market}/Signs", Admin)],
        ["GET /Market/{marketId:long}/Signs?handler=Pdf"] = [Only("/Market/{market}/Signs?handler=Pdf&paper=A6", Admin)],

        ["GET /Market/{marketId:long}/Details"] = [Only("/Market/{market}/Details", Admin)],
        ["GET /Market/{marketId:long}/Details?handler=Poster"] = [Only("/Market/{market}/Details?handler=Poster&paper=A3", Admin)],
        ["POST /Market/{marketId:long}/Details"] = [new("/Market/{market}/Details", [Admin], Fields: new() { ["Input.Name"] = "Chợ bị đổi tên" })],
        ["POST /Market/{marketId:long}/Details?handler=Photo"] = [Only("/Market/{market}/Details?handler=Photo", Admin)],
        ["POST /Market/{marketId:long}/Details?handler=RemovePhoto"] = [Only("/Market/{market}/Details?handler=RemovePhoto", Admin)],
        ["POST /Market/{marketId:long}/Details?handler=Province"] = [new("/Market/{market}/Details?handler=Province", [Admin], OwnerToo: true)],

        // ---- the province dashboard: province viewers (of Thái Nguyên, where market Y is) and admins; no personal data -
        ["GET /Province"] = [Only("/Province", ProvinceViewer, Admin)],
        ["GET /Province/Market/{marketId:long}"] = [Only("/Province/Market/{market}", ProvinceViewer, Admin)],

        ["GET /Market/{marketId:long}/Reports"] = [Only("/Market/{market}/Reports", Admin)],
        ["GET /Market/{marketId:long}/Reports?handler=Csv"] = [Only("/Market/{market}/Reports?handler=Csv", Admin)],
        ["GET /Market/{marketId:long}/Reports?handler=Pdf"] = [Only("/Market/{market}/Reports?handler=Pdf", Admin)],
        ["GET /Market/{marketId:long}/Reports?handler=Xlsx"] = [Only("/Market/{market}/Reports?handler=Xlsx", Admin)],

        // ---- seller B's data ------------------------------------------------------------------------------------
        ["GET /Seller/Orders"] = [Only("/Seller/Orders", Members)],
        ["GET /Seller/Orders/{id:long}"] = [Only("/Seller/Orders/{order}", SellerB)],
        ["POST /Seller/Orders/{id:long}?handler=Cancel"] = [Only("/Seller/Orders/{order}?handler=Cancel", SellerB)],
        ["POST /Seller/Orders/{id:long}?handler=Confirm"] = [Only("/Seller/Orders/{order}?handler=Confirm", SellerB)],
        ["POST /Seller/Orders/{id:long}?handler=Deliver"] = [Only("/Seller/Orders/{order}?handler=Deliver", SellerB)],
        ["POST /Seller/Orders/{id:long}?handler=Return"] = [Only("/Seller/Orders/{order}?handler=Return", SellerB)],
        ["POST /Seller/Orders/{id:long}?handler=Ship"] = [new("/Seller/Orders/{order}?handler=Ship", [SellerB],
            Fields: new() { ["carrier"] = "GHN", ["trackingCode"] = "GHNZQ7" })],
        ["GET /Seller/Catalog"] = [Only("/Seller/Catalog", Members), new("/Seller/Catalog?seller={sellerB}", [SellerB], Strict: false)],
        ["POST /Seller/Catalog?handler=Choose"] = [new("/Seller/Catalog?handler=Choose", [SellerB], Strict: false, Fields: new() { ["sellerId"] = "{sellerB}" })],
        ["GET /Seller/Catalog/Edit/{id:long}"] = [Only("/Seller/Catalog/Edit/{product}", SellerB)],
        ["POST /Seller/Catalog/Edit/{id:long}"] = [Only("/Seller/Catalog/Edit/{product}", SellerB)],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=DeletePhoto"] = [new("/Seller/Catalog/Edit/{product}?handler=DeletePhoto", [SellerB],
            Fields: new() { ["imageId"] = "{image}" })],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=MovePhoto"] = [new("/Seller/Catalog/Edit/{product}?handler=MovePhoto", [SellerB],
            Fields: new() { ["imageId"] = "{image}", ["direction"] = "1" })],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=Province"] = [new("/Seller/Catalog/Edit/{product}?handler=Province", [SellerB], OwnerToo: true)],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=Publish"] = [Only("/Seller/Catalog/Edit/{product}?handler=Publish", SellerB)],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=Unpublish"] = [Only("/Seller/Catalog/Edit/{product}?handler=Unpublish", SellerB)],
        ["POST /Seller/Catalog/Edit/{id:long}?handler=Upload"] = [Only("/Seller/Catalog/Edit/{product}?handler=Upload", SellerB)],
        ["GET /Seller/Catalog/Export"] = [Only("/Seller/Catalog/Export?format=csv", Members),
            new("/Seller/Catalog/Export?format=csv&seller={sellerB}", [SellerB], Strict: false)],
        ["GET /Seller/Catalog/Export?handler=Template"] = [Only("/Seller/Catalog/Export?handler=Template&format=csv", Members)],
        ["GET /Seller/Catalog/Import"] = [Only("/Seller/Catalog/Import", Members)],
        ["POST /Seller/Catalog/Import"] = [Only("/Seller/Catalog/Import?seller={sellerB}", SellerB)],
        ["GET /Seller/Catalog/New"] = [Only("/Seller/Catalog/New", Members)],
        ["POST /Seller/Catalog/New"] = [new("/Seller/Catalog/New?seller={sellerB}", [SellerB], FormPage: "/Seller/Catalog/New?seller={sellerB}",
            Fields: new() { ["Input.Name"] = "Chè trộm", ["Input.Price"] = "100000", ["Input.Unit"] = "kg" })],
        ["POST /Seller/Catalog/New?handler=Province"] = [new("/Seller/Catalog/New?handler=Province&seller={sellerB}", [SellerB], Strict: false)],
        ["GET /Seller/Settlement"] = [new("/Seller/Settlement", SignedIn, Strict: true)],
        ["GET /Seller/Settlement/Account/{sellerId:long}"] = [Only("/Seller/Settlement/Account/{sellerB}", SellerB)],
        ["POST /Seller/Settlement/Account/{sellerId:long}"] = [Only("/Seller/Settlement/Account/{sellerB}", SellerB)],
        ["GET /Seller/Settlement/{runId:long}/{sellerId:long}"] = [Only("/Seller/Settlement/{run}/{sellerB}", SellerB, Admin)],
        ["GET /Seller/Settlement/{runId:long}/{sellerId:long}?handler=Pdf"] = [Only("/Seller/Settlement/{run}/{sellerB}?handler=Pdf", SellerB, Admin)],
        ["GET /Seller/Trace"] = [Only("/Seller/Trace", Members), new("/Seller/Trace?sellerId={sellerB}", [SellerB])],
        ["POST /Seller/Trace?handler=Gtin"] = [new("/Seller/Trace?handler=Gtin&sellerId={sellerB}", [SellerB], FormPage: "/Seller/Trace?sellerId={sellerB}")],
        ["GET /Seller/Trace/Batch/{id:long}"] = [Only("/Seller/Trace/Batch/{batch}", SellerB)],
        ["GET /Seller/Trace/Batch/{id:long}?handler=Labels"] = [Only("/Seller/Trace/Batch/{batch}?handler=Labels&Layout=a4x24&What=batch", SellerB)],
        ["GET /Seller/Trace/Batch/{id:long}?handler=Qr"] = [Only("/Seller/Trace/Batch/{batch}?handler=Qr", SellerB)],
        ["POST /Seller/Trace/Batch/{id:long}"] = [Only("/Seller/Trace/Batch/{batch}", SellerB)],
        ["POST /Seller/Trace/Batch/{id:long}?handler=Province"] = [new("/Seller/Trace/Batch/{batch}?handler=Province", [SellerB], OwnerToo: true)],
        ["POST /Seller/Trace/Batch/{id:long}?handler=Units"] = [new("/Seller/Trace/Batch/{batch}?handler=Units", [SellerB], Fields: new() { ["count"] = "5" })],
        ["GET /Seller/Trace/Certificates"] = [Only("/Seller/Trace/Certificates", Members), new("/Seller/Trace/Certificates?sellerId={sellerB}", [SellerB])],
        ["POST /Seller/Trace/Certificates"] = [new("/Seller/Trace/Certificates?sellerId={sellerB}", [SellerB], FormPage: "/Seller/Trace/Certificates?sellerId={sellerB}")],
        ["GET /Seller/Trace/New"] = [Only("/Seller/Trace/New", Members), new("/Seller/Trace/New?sellerId={sellerB}", [SellerB])],
        ["POST /Seller/Trace/New"] = [new("/Seller/Trace/New?sellerId={sellerB}", [SellerB], FormPage: "/Seller/Trace/New?sellerId={sellerB}")],
        ["GET /api/trace/batches/{id:long}/epcis"] = [Only("/api/trace/batches/{batch}/epcis", SellerB)],
        ["GET /Seller/Reports/{sellerId:long?}"] = [Only("/Seller/Reports/{sellerB}", SellerB), Only("/Seller/Reports", Members)],
        ["GET /Seller/Reports/{sellerId:long?}?handler=Csv"] = [Only("/Seller/Reports/{sellerB}?handler=Csv", SellerB)],
        ["GET /Seller/Reports/{sellerId:long?}?handler=Pdf"] = [Only("/Seller/Reports/{sellerB}?handler=Pdf", SellerB)],
        ["GET /Seller/Reports/{sellerId:long?}?handler=Xlsx"] = [Only("/Seller/Reports/{sellerB}?handler=Xlsx", SellerB)],

        // ---- stall A01: its owner and the helper who set it up --------------------------------------------------
        ["GET /Stall"] = [Only("/Stall", SignedIn)],
        ["GET /Stall/Edit/{id:long?}"] = [Only("/Stall/Edit/{stall}", Keepers), Only("/Stall/Edit", SignedIn)],
        ["POST /Stall/Edit/{id:long?}"] = [Only("/Stall/Edit/{stall}", Keepers)],
        ["GET /Stall/{id:long}/Charge/{requestId:long?}"] = [Only("/Stall/{stall}/Charge", Keepers), Only("/Stall/{stall}/Charge/{request}", Keepers)],
        ["GET /Stall/{id:long}/Charge/{requestId:long?}?handler=Png"] = [Only("/Stall/{stall}/Charge/{request}?handler=Png", Keepers)],
        ["POST /Stall/{id:long}/Charge/{requestId:long?}"] = [new("/Stall/{stall}/Charge", Keepers, Fields: new() { ["Amount"] = "50000" })],
        ["GET /Stall/{id:long}/Bank"] = [Only("/Stall/{stall}/Bank", Keepers)],
        ["GET /Stall/{id:long}/Bank?handler=Status"] = [Only("/Stall/{stall}/Bank?handler=Status", Keepers)],
        ["POST /Stall/{id:long}/Bank?handler=Create"] = [new("/Stall/{stall}/Bank?handler=Create", Keepers, Fields: new() { ["AuthMode"] = "apikey" })],
        ["POST /Stall/{id:long}/Bank?handler=Rotate"] = [Only("/Stall/{stall}/Bank?handler=Rotate", Keepers)],
        ["POST /Stall/{id:long}/Bank?handler=Revoke"] = [Only("/Stall/{stall}/Bank?handler=Revoke", Keepers)],
        ["POST /Stall/{id:long}/Bank?handler=ServiceKey"] = [new("/Stall/{stall}/Bank?handler=ServiceKey", Keepers, Fields: new() { ["ServiceKey"] = "whsec_attacker_key" })],
        ["POST /Stall/{id:long}/Bank?handler=PayOsKeys"] = [Only("/Stall/{stall}/Bank?handler=PayOsKeys", Keepers)],
        ["POST /Stall/{id:long}/Bank?handler=ApiToken"] = [new("/Stall/{stall}/Bank?handler=ApiToken", Keepers, Fields: new() { ["SyncApi"] = "sepay_v1", ["ApiToken"] = "attacker-token" })],
        ["POST /Stall/{id:long}/Bank?handler=ConfirmPayOs"] = [Only("/Stall/{stall}/Bank?handler=ConfirmPayOs", Keepers)],
        ["POST /Stall/{id:long}/Charge/{requestId:long?}?handler=Create"] = [new("/Stall/{stall}/Charge?handler=Create", Keepers, Fields: new() { ["AmountVnd"] = "50000" })],
        ["GET /Stall/{id:long}/CheckSign"] = [Only("/Stall/{stall}/CheckSign", Keepers)],
        ["GET /Stall/{id:long}/Events"] = [Only("/Stall/{stall}/Events", Keepers)],
        ["GET /Stall/{id:long}/Screen"] = [Only("/Stall/{stall}/Screen", Keepers)],
        ["POST /Stall/{id:long}/Screen?handler=Cash"] = [new("/Stall/{stall}/Screen?handler=Cash", Keepers, Fields: new() { ["CashAmount"] = "20000" })],
        ["POST /Stall/{id:long}/Screen?handler=Void"] = [new("/Stall/{stall}/Screen?handler=Void", Keepers, Fields: new() { ["paymentId"] = "1" })],
        ["GET /Stall/{id:long}/Sign?handler=Guide"] = [Only("/Stall/{stall}/Sign?handler=Guide", Keepers)],
        ["GET /Stall/{id:long}/Sign"] = [Only("/Stall/{stall}/Sign", Keepers)],
        ["GET /Stall/{id:long}/Sign?handler=Pdf"] = [Only("/Stall/{stall}/Sign?handler=Pdf&paper=A6", Keepers)],
        ["GET /Stall/{id:long}/Sign?handler=Png"] = [Only("/Stall/{stall}/Sign?handler=Png", Keepers)],
        ["GET /Stall/{id:long}/Reports"] = [Only("/Stall/{stall}/Reports", Keepers)],
        ["GET /Stall/{id:long}/Reports?handler=Csv"] = [Only("/Stall/{stall}/Reports?handler=Csv", Keepers)],
        ["GET /Stall/{id:long}/Reports?handler=Pdf"] = [Only("/Stall/{stall}/Reports?handler=Pdf", Keepers)],
        ["GET /Stall/{id:long}/Reports?handler=Xlsx"] = [Only("/Stall/{stall}/Reports?handler=Xlsx", Keepers)],
    };

    [Fact]
    public async Task Every_endpoint_of_the_app_is_classified_and_nothing_else_is()
    {
        var endpoints = (await EndpointCatalog.ReadAsync(world.App.Services)).Select(e => e.Key).ToHashSet();
        var unclassified = endpoints.Where(k => !Table.ContainsKey(k)).ToList();
        var stale = Table.Keys.Where(k => !endpoints.Contains(k)).ToList();
        Assert.True(unclassified.Count == 0,
            "Endpoints nobody has classified (add them to EndpointSweepTests.Table after deciding who may use them):\n" + string.Join("\n", unclassified));
        Assert.True(stale.Count == 0, "Classified endpoints the app no longer has:\n" + string.Join("\n", stale));
        Assert.True(endpoints.Count >= 120, $"only {endpoints.Count} endpoints found: the catalogue reader is broken");
    }

    [Fact]
    public async Task No_role_reads_or_writes_another_tenants_data_on_any_endpoint()
    {
        var failures = new List<string>();
        var tokens = new Dictionary<Role, string>();
        foreach (var (role, client) in world.Clients) tokens[role] = await SecurityWorld.TokenAsync(client);
        var requests = 0;

        foreach (var (key, probes) in Table.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var method = key.StartsWith("POST ", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;
            foreach (var probe in probes)
            {
                var url = world.Fill(probe.Url);
                var isWrite = method == HttpMethod.Post;
                if (isWrite && !probe.Send) continue;
                Dictionary<string, string>? before = null;
                var formValues = isWrite ? await OwnersFormAsync(probe, url) : null;
                if (isWrite && probe.Strict) before = await world.FingerprintAsync();

                foreach (var role in Everyone)
                {
                    var allowed = probe.Allowed.Contains(role);
                    if (isWrite && allowed && !probe.OwnerToo) continue; // owners' writes are their features' own tests
                    var client = world.Clients[role];
                    var outcome = await SendAsync(client, method, url, isWrite ? WithToken(formValues!, tokens[role]) : null);
                    requests++;
                    var what = $"{role} {method} {url} → {(int)outcome.Status}{(outcome.Location is null ? "" : " " + outcome.Location)}";
                    if ((int)outcome.Status >= 500) failures.Add($"{what}: server error");
                    if (!probe.MarksExempt)
                        foreach (var mark in SecurityWorld.AllMarks.Except(SecurityWorld.Visible[role]))
                            if (outcome.Body.Contains(mark, StringComparison.Ordinal)) failures.Add($"{what}: shows {mark}");
                    if (allowed && outcome.Status != HttpStatusCode.OK && probe.Strict)
                        failures.Add($"{what}: the owner/allowed role should get 200");
                    if (!allowed && probe.Strict && !IsRefusal(outcome, key))
                        failures.Add($"{what}: should be refused (404/403/401/sign-in)");
                }

                if (before is not null)
                {
                    var after = await world.FingerprintAsync();
                    var changed = after.Where(t => !before.TryGetValue(t.Key, out var h) || h != t.Value).Select(t => t.Key).ToList();
                    if (changed.Count > 0) failures.Add($"POST {url} by refused roles changed: {string.Join(", ", changed)}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} problems in {requests} requests:\n" + string.Join("\n", failures));
        Assert.True(requests > 700, $"only {requests} requests");
    }

    private static bool IsRefusal(Outcome outcome, string key)
    {
        if (key.StartsWith("* /hangfire", StringComparison.Ordinal)) return outcome.Status == HttpStatusCode.Forbidden;
        return outcome.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
            || outcome.Status == HttpStatusCode.Redirect && outcome.Location is { } location
               && (location.StartsWith("/Account/SignIn", StringComparison.Ordinal) || location.StartsWith("/Account/AccessDenied", StringComparison.Ordinal));
    }

    private static List<KeyValuePair<string, string>> WithToken(List<KeyValuePair<string, string>> values, string token) =>
        [.. values.Where(v => v.Key != "__RequestVerificationToken"), new("__RequestVerificationToken", token)];

    /// <summary>
    /// The form the owner would submit to this URL, read from the owner's own page (so a refused request is refused
    /// for whose data it names, not for a missing field), plus the probe's fields.
    /// </summary>
    private async Task<List<KeyValuePair<string, string>>> OwnersFormAsync(Probe probe, string url)
    {
        var values = new List<KeyValuePair<string, string>>();
        var owner = probe.Allowed.FirstOrDefault(r => r != Anonymous);
        var target = new Uri(new Uri("http://localhost"), url);
        if (probe.Allowed.Length > 0 && probe.Allowed.Length < Everyone.Length)
        {
            var pageUrl = probe.FormPage is null ? target.AbsolutePath : world.Fill(probe.FormPage);
            var (response, page) = await world.Clients[owner].GetPageAsync(pageUrl);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var form = page.QuerySelectorAll("form").OfType<IHtmlFormElement>().FirstOrDefault(f => Targets(f, page.Url, target));
                if (form is not null)
                    foreach (var element in form.Elements)
                        switch (element)
                        {
                            case IHtmlInputElement { Type: "submit" or "button" or "file" }: break;
                            case IHtmlInputElement { Type: "radio" or "checkbox" } box when box.IsChecked: values.Add(new(box.Name!, box.Value)); break;
                            case IHtmlInputElement { Type: "radio" or "checkbox" }: break;
                            case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name): values.Add(new(input.Name, input.Value)); break;
                            case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name): values.Add(new(area.Name, area.Value)); break;
                            case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name): values.Add(new(select.Name, select.Value ?? "")); break;
                        }
            }
        }
        foreach (var (name, value) in probe.Fields ?? [])
        {
            values.RemoveAll(v => v.Key == name);
            values.Add(new(name, world.Fill(value)));
        }
        return values;
    }

    private static bool Targets(IHtmlFormElement form, string pageUrl, Uri target)
    {
        if (!string.Equals(form.Method, "post", StringComparison.OrdinalIgnoreCase)) return false;
        var actions = new[] { form.GetAttribute("action") ?? "" }
            .Concat(form.Elements.Select(e => e.GetAttribute("formaction")).OfType<string>());
        var handler = System.Web.HttpUtility.ParseQueryString(target.Query)["handler"] ?? "";
        foreach (var action in actions)
        {
            var uri = new Uri(new Uri(pageUrl), action);
            var actionHandler = System.Web.HttpUtility.ParseQueryString(uri.Query)["handler"] ?? "";
            if (string.Equals(uri.AbsolutePath.TrimEnd('/'), target.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
                && string.Equals(actionHandler, handler, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public sealed record Outcome(HttpStatusCode Status, string? Location, string Body);

    public static async Task<Outcome> SendAsync(PageClient client, HttpMethod method, string url, List<KeyValuePair<string, string>>? form)
    {
        using var request = new HttpRequestMessage(method, url);
        if (form is not null) request.Content = new FormUrlEncodedContent(form);
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        var body = "";
        if (type == "text/event-stream")
        {
            // A live stream: read the first event (or give up after a moment); it must not carry others' data.
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var buffer = new byte[4096];
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
                var read = await stream.ReadAsync(buffer, cancel.Token);
                body = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            }
            catch (OperationCanceledException) { }
        }
        else if (type.StartsWith("text/", StringComparison.Ordinal) || type.Contains("json", StringComparison.Ordinal) || type.Contains("xml", StringComparison.Ordinal))
            body = await response.Content.ReadAsStringAsync();
        var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l.PathAndQuery : l.OriginalString) : null;
        return new Outcome(response.StatusCode, location, body);
    }
}
