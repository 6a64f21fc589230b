using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cho40.Db;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// A batch's history as a GS1 EPCIS 2.0 JSON-LD document. The lot is identified by its GS1 Digital Link
/// (<c>…/01/{GTIN}/10/{lot}</c>) when the product has a GTIN, else by the platform's own URI (<c>…/t/{code}</c>);
/// serialised packs by the same with their serial. Mapping of our event kinds to the CBV:
/// harvest → ObjectEvent ADD "commissioning" (the raw harvest, or the lot itself when nothing is processed);
/// withering/rolling/drying/processing → TransformationEvent raw harvest → lot (one transformationID, lot
/// data in ILMD); packaging → "packing"; inspection/certification → "inspecting"; shipping → "shipping";
/// planting/care → ObjectEvent OBSERVE with the platform's own bizStep URIs (the CBV has no farming steps).
/// </summary>
public static class Epcis
{
    public const string Context = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

    public static JsonObject Document(string baseUrl, SellerBatch batch, IReadOnlyList<TraceEventView> events,
        IReadOnlyList<string> serials, DateTimeOffset now)
    {
        var lotClass = batch.Gtin is null ? baseUrl + TraceLinks.ShortPath(batch.Code) : baseUrl + TraceLinks.DigitalLinkPath(batch.Gtin, batch.LotCode);
        var rawClass = baseUrl + TraceLinks.ShortPath(batch.Code) + "#raw-material";
        // Instance ids in GS1's constrained form (/01/{GTIN}/21/{serial}, no lot): one pack, one id.
        var units = serials.Select(s => batch.Gtin is null ? baseUrl + TraceLinks.ShortPath(batch.Code, s)
            : baseUrl + TraceLinks.SerialDigitalLinkPath(batch.Gtin, s)).ToList();
        var processed = events.Any(e => TraceEventKinds.Processing.Contains(e.Kind));
        var lotQuantity = Quantity(lotClass, batch.Quantity, batch.Unit);

        var list = new JsonArray();
        foreach (var e in events)
        {
            var ev = new JsonObject
            {
                ["type"] = TraceEventKinds.Processing.Contains(e.Kind) ? "TransformationEvent" : "ObjectEvent",
                ["eventTime"] = e.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["eventTimeZoneOffset"] = "+07:00",
                ["eventID"] = EventId(baseUrl, e.Id),
            };
            switch (e.Kind)
            {
                case "harvest":
                    ev["action"] = "ADD";
                    ev["bizStep"] = "commissioning";
                    ev["disposition"] = "active";
                    ev["quantityList"] = new JsonArray(processed ? new JsonObject { ["epcClass"] = rawClass } : lotQuantity.DeepClone());
                    if (!processed) ev["ilmd"] = Ilmd(batch);
                    break;
                case "withering" or "rolling" or "drying" or "processing":
                    ev["transformationID"] = baseUrl + TraceLinks.ShortPath(batch.Code) + "#processing";
                    ev["inputQuantityList"] = new JsonArray(new JsonObject { ["epcClass"] = rawClass });
                    ev["outputQuantityList"] = new JsonArray(lotQuantity.DeepClone());
                    ev["bizStep"] = "commissioning";
                    ev["disposition"] = "in_progress";
                    ev["ilmd"] = Ilmd(batch);
                    break;
                default:
                    ev["action"] = "OBSERVE";
                    (ev["bizStep"], ev["disposition"]) = e.Kind switch
                    {
                        "packaging" => ("packing", "in_progress"),
                        "inspection" or "certification" => ("inspecting", "conformant"),
                        "shipping" => ("shipping", "in_transit"),
                        _ => ((JsonNode)$"{baseUrl}/voc/bizStep/{e.Kind}", (JsonNode)"active"),
                    };
                    if (e.Kind == "packaging" && units.Count > 0) ev["epcList"] = new JsonArray(units.Select(u => (JsonNode)u).ToArray());
                    ev["quantityList"] = new JsonArray(e.Kind is "planting" or "care" && processed
                        ? new JsonObject { ["epcClass"] = rawClass } : lotQuantity.DeepClone());
                    break;
            }
            if (e.Latitude is decimal lat && e.Longitude is decimal lon)
                ev["readPoint"] = new JsonObject { ["id"] = string.Create(CultureInfo.InvariantCulture, $"geo:{lat},{lon}") };
            else if (e.CommuneCode is not null)
                ev["readPoint"] = new JsonObject { ["id"] = $"{baseUrl}/voc/commune/{e.CommuneCode}" };
            if (e.CommuneCode is not null)
                ev["bizLocation"] = new JsonObject { ["id"] = $"{baseUrl}/voc/commune/{e.CommuneCode}" };
            if (e.Actor.Length > 0) ev["cho40:actor"] = e.Actor;
            if (e.Note.Length > 0) ev["cho40:note"] = e.Note;
            list.Add(ev);
        }

        return new JsonObject
        {
            ["@context"] = new JsonArray(Context, new JsonObject
            {
                ["cbvmda"] = "urn:epcglobal:cbv:mda:",
                ["cho40"] = baseUrl + "/voc/",
            }),
            ["type"] = "EPCISDocument",
            ["schemaVersion"] = "2.0",
            ["creationDate"] = now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["epcisBody"] = new JsonObject { ["eventList"] = list },
        };
    }

    private static JsonObject Ilmd(SellerBatch batch)
    {
        var ilmd = new JsonObject
        {
            ["cbvmda:lotNumber"] = batch.LotCode,
            ["cbvmda:productionDate"] = batch.ProducedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (batch.ExpiresOn is DateOnly expires)
            ilmd["cbvmda:itemExpirationDate"] = expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ilmd;
    }

    private static JsonObject Quantity(string epcClass, decimal quantity, string unit)
    {
        var q = new JsonObject { ["epcClass"] = epcClass, ["quantity"] = quantity };
        // UN/ECE Rec 20 codes for the units our sellers use; other units (gói, hộp) are counts: no uom.
        var uom = unit.Trim().ToLowerInvariant() switch
        {
            "kg" => "KGM",
            "g" => "GRM",
            "tấn" or "t" => "TNE",
            "l" or "lít" => "LTR",
            _ => null,
        };
        if (uom is not null) q["uom"] = uom;
        return q;
    }

    /// <summary>A stable event id: a name-based UUID from the site and the event's row id.</summary>
    private static string EventId(string baseUrl, long id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{baseUrl}/trace-event/{id}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
