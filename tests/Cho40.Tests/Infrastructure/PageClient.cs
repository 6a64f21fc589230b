using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Cho40.Tests.Infrastructure;

/// <summary>An HttpClient that reads pages and submits their forms the way a browser without JavaScript would.</summary>
public sealed class PageClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public async Task<(HttpResponseMessage Response, IDocument Page)> GetPageAsync(string url)
    {
        var response = await Http.GetAsync(url);
        return (response, await ParseAsync(response));
    }

    /// <summary>Fills the form found by <paramref name="formSelector"/> on <paramref name="url"/> and submits it with the given button.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string url, string formSelector, IDictionary<string, string> values,
        string? submitButtonSelector = null)
    {
        var (response, page) = await GetPageAsync(url);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
        return await SubmitAsync(page, formSelector, values, submitButtonSelector);
    }

    public async Task<HttpResponseMessage> SubmitAsync(IDocument page, string formSelector, IDictionary<string, string> values,
        string? submitButtonSelector = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector)
                   ?? throw new InvalidOperationException($"no form '{formSelector}' on {page.Url}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when input.Type is "submit" or "button" || string.IsNullOrEmpty(input.Name):
                    continue;
                case IHtmlInputElement { Type: "radio" or "checkbox" } input:
                    if (input.IsChecked && !values.ContainsKey(input.Name!)) fields.Add(new(input.Name!, input.Value));
                    continue;
                case IHtmlInputElement input:
                    if (!values.ContainsKey(input.Name!)) fields.Add(new(input.Name!, input.Value));
                    continue;
                case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name) && !values.ContainsKey(area.Name):
                    fields.Add(new(area.Name, area.Value));
                    continue;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name) && !values.ContainsKey(select.Name) && !select.IsDisabled:
                    fields.Add(new(select.Name, select.Value ?? ""));
                    continue;
            }
        }
        fields.AddRange(values);

        var action = form.Action;
        if (submitButtonSelector is not null)
        {
            var button = page.QuerySelector(submitButtonSelector) ?? throw new InvalidOperationException($"no button {submitButtonSelector}");
            action = button.GetAttribute("formaction") ?? action;
        }
        var target = string.IsNullOrEmpty(action) ? page.Url : action;
        var uri = new Uri(new Uri(page.Url), target);
        return await Http.PostAsync(uri.PathAndQuery, new FormUrlEncodedContent(fields));
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(r => r.Content(html).Address(response.RequestMessage!.RequestUri!));
    }

    public async Task SignInAsync(string phone, string password = "cho40-demo")
    {
        var response = await SubmitFormAsync("/Account/SignIn", "main form",
            new Dictionary<string, string> { ["Input.Phone"] = phone, ["Input.Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"sign-in as {phone} failed: {(int)response.StatusCode}");
    }

    /// <summary>
    /// Signs up (the sign-up answer is the same whether or not the number was new, and signs nobody in), then signs in
    /// with the new password — which proves the account was created.
    /// </summary>
    public async Task SignUpAsync(string phone, string password, string displayName = "Nguyễn Thị Lan")
    {
        var response = await SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = displayName, ["Input.Phone"] = phone, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            var page = await ParseAsync(response);
            throw new InvalidOperationException($"sign-up as {phone} failed: {(int)response.StatusCode} " +
                string.Join(" | ", page.QuerySelectorAll(".field-error, .form-errors").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0)));
        }
        await SignInAsync(phone, password);
    }

    public void Dispose() => Http.Dispose();
}
