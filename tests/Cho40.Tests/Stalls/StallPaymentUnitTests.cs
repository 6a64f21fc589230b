using System.Text.Json;
using Cho40.Db;
using Cho40.Web.Pages.Stall;
using Cho40.Web.Payments;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Db.Domain;

namespace Cho40.Tests.Stalls;

public sealed class VietnameseNumberWordsTests
{
    [Theory]
    [InlineData(0, "không")]
    [InlineData(5, "năm")]
    [InlineData(10, "mười")]
    [InlineData(15, "mười lăm")]
    [InlineData(21, "hai mươi mốt")]
    [InlineData(24, "hai mươi tư")]
    [InlineData(55, "năm mươi lăm")]
    [InlineData(101, "một trăm linh một")]
    [InlineData(110, "một trăm mười")]
    [InlineData(200, "hai trăm")]
    [InlineData(1005, "một nghìn không trăm linh năm")]
    [InlineData(15000, "mười lăm nghìn")]
    [InlineData(21000, "hai mươi mốt nghìn")]
    [InlineData(50000, "năm mươi nghìn")]
    [InlineData(105000, "một trăm linh năm nghìn")]
    [InlineData(200000, "hai trăm nghìn")]
    [InlineData(1500000, "một triệu năm trăm nghìn")]
    [InlineData(2030500, "hai triệu không trăm ba mươi nghìn năm trăm")]
    [InlineData(1000000000, "một tỷ")]
    [InlineData(1000050000, "một tỷ không trăm năm mươi nghìn")]
    [InlineData(499999999, "bốn trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín")]
    public void Reads_amounts_in_full(long amount, string words) => Assert.Equal(words, VietnameseNumberWords.Of(amount));

    [Fact]
    public void Announces_the_whole_amount_never_just_its_start() =>
        Assert.Equal("Đã nhận hai trăm đồng", VietnameseNumberWords.Received(200));
}

public sealed class ReferenceTextTests
{
    [Theory]
    [InlineData("C40 7KQ3XM", "7KQ3XM")]
    [InlineData("c40 7kq3xm", "7KQ3XM")]
    [InlineData("C407KQ3XM", "7KQ3XM")]
    [InlineData("MBVCB.3278907687.C40 7KQ3XM.CT tu 0123456789 NGUYEN VAN A toi 0011001234567", "7KQ3XM")]
    [InlineData("IBFT C40-7KQ-3XM thanh toan", "7KQ3XM")]
    [InlineData("Thanh toán C40 7KQ3XM cho cô Hoa", "7KQ3XM")]
    [InlineData("C4O 7KQ3XM", "7KQ3XM")]
    [InlineData("REF C40C407KQ3XM", "7KQ3XM")]
    public void Finds_the_reference_however_it_was_mangled(string content, string expected) =>
        Assert.Contains(expected, ReferenceText.Candidates(content));

    [Theory]
    [InlineData("chuyen tien an sang")]
    [InlineData("C40 7KQ")] // too short
    [InlineData("")]
    public void Finds_nothing_where_there_is_no_reference(string content) => Assert.Empty(ReferenceText.Candidates(content));

    [Fact]
    public void New_references_use_only_the_unambiguous_alphabet()
    {
        for (var i = 0; i < 200; i++)
        {
            var reference = PaymentReferences.New();
            Assert.Equal(6, reference.Length);
            Assert.All(reference, c => Assert.Contains(c, PaymentReferences.Alphabet));
            Assert.DoesNotContain(reference, c => c is '0' or 'O' or '1' or 'I' or 'L');
        }
    }
}

public sealed class ProviderFormatTests
{
    /// <summary>The worked example on payOS's "Kiểm tra dữ liệu với signature" page (payos.vn/docs).</summary>
    [Fact]
    public void PayOs_signature_matches_the_published_example()
    {
        const string data = """
            {"orderCode":123,"amount":3000,"description":"VQRIO123","accountNumber":"12345678","reference":"TF230204212323",
             "transactionDateTime":"2023-02-04 18:25:00","currency":"VND","paymentLinkId":"124c33293c43417ab7879e14c8d9eb18",
             "code":"00","desc":"Thành công","counterAccountBankId":"","counterAccountBankName":"","counterAccountName":"",
             "counterAccountNumber":"","virtualAccountName":"","virtualAccountNumber":""}
            """;
        using var json = JsonDocument.Parse(data);
        Assert.Equal("412e915d2871504ed31be63c8f62a149a4410d34c4c42affc9006ef9917eaa03",
            PayOs.Sign(json.RootElement, "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675"));
    }

    [Fact]
    public void SePay_body_reads_as_an_incoming_transfer_at_the_banks_time_in_Vietnam()
    {
        var transfers = new SePay().Parse(BankDelivery.Json("""
            {"id":92704,"gateway":"Vietcombank","transactionDate":"2023-03-25 14:02:37","accountNumber":"0123499999",
             "code":null,"content":"C40 7KQ3XM","transferType":"in","transferAmount":2277000,"accumulated":19077000,
             "subAccount":null,"referenceCode":"MBVCB.3278907687","description":""}
            """)).Transfers;
        var t = Assert.Single(transfers);
        Assert.Equal(("92704", "0123499999", 2277000L, "C40 7KQ3XM", "MBVCB.3278907687"), (t.ProviderTransactionId, t.AccountNumber, t.AmountVnd, t.Content, t.BankReference));
        Assert.Equal(new DateTimeOffset(2023, 3, 25, 7, 2, 37, TimeSpan.Zero), t.TransactionTime);
        Assert.Empty(new SePay().Parse(BankDelivery.Json("""{"id":1,"transactionDate":"2023-03-25 14:02:37","accountNumber":"1","content":"","transferType":"out","transferAmount":5}""")).Transfers);
    }

    [Fact]
    public void Casso_body_lists_incoming_transfers_and_skips_outgoing_ones()
    {
        var transfers = new Casso().Parse(BankDelivery.Json("""
            {"error":0,"data":[
              {"id":1001,"tid":"TF1","description":"C40 7KQ3XM","amount":50000,"cusum_balance":1,"when":"2024-05-01 08:00:00","bank_sub_acc_id":"0011001234567"},
              {"id":1002,"tid":"TF2","description":"rut tien","amount":-20000,"cusum_balance":1,"when":"2024-05-01 08:01:00","bank_sub_acc_id":"0011001234567"}]}
            """)).Transfers;
        var t = Assert.Single(transfers);
        Assert.Equal(("1001", "0011001234567", 50000L), (t.ProviderTransactionId, t.AccountNumber, t.AmountVnd));
    }

    [Theory]
    [InlineData("50000", 50000L)]
    [InlineData("50.000", 50000L)]
    [InlineData("50 000đ", 50000L)]
    [InlineData("999", null)]
    [InlineData("abc", null)]
    [InlineData("500000000", null)]
    [InlineData("50k", 50000L)]
    [InlineData("120.000,00", null)]
    public void Cash_amounts_are_read_the_way_people_type_them(string text, long? expected) =>
        Assert.Equal(expected, MoneyText.Read(text, MoneyField.StallPayment).AmountVnd);

    [Theory]
    [InlineData("Lê Thị Hoa", "LE THI HOA")]
    [InlineData("  nguyễn   văn  đức ", "NGUYEN VAN DUC")]
    public void Account_holders_are_written_as_banks_show_them(string input, string expected) =>
        Assert.Equal(expected, EditModel.NormalizeHolder(input));
}
