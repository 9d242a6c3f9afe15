using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Imports;

public sealed class CsvTemplateTests
{
    [Fact]
    public void TemplateForASocialMessagingOrganizationHasAllColumnsInTheDocumentedOrder()
    {
        var template = CsvTemplate.For(new Organization { Name = "Acme Corp (EU)", SocialMessagingEnabled = true });

        var lines = template.Content.Split("\r\n");
        Assert.Equal("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language",
            lines[0]);
        Assert.StartsWith("\"Note: delete this row before uploading. ", lines[1]);
        Assert.Equal("Jane,Doe,jane.doe@example.com,Yes,,auto,on,,false,English", lines[2]);
        Assert.Equal("multiline-accounts-acme-corp-eu.csv", template.FileName);
        Assert.Equal(CsvColumns.All, template.Columns);
    }

    [Fact]
    public void TemplateWithoutSocialMessagingDropsTheRestrictColumnAndSaysNo()
    {
        var template = CsvTemplate.For(new Organization { Name = "Müller & Söhne", SmtpDataOffload = true });

        var lines = template.Content.Split("\r\n");
        Assert.Equal("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,language", lines[0]);
        Assert.Equal("Jane,Doe,jane.doe@example.com,No,,auto,on,,English", lines[2]);
        Assert.Contains("Required. An email address (this organization uses SMTP data offload).", lines[1]);
        Assert.Contains("Required. No (this organization has no social messaging).", lines[1]);
        Assert.Equal("multiline-accounts-muller-sohne.csv", template.FileName);
    }

    [Fact]
    public void TemplateBytesStartWithAUtf8Bom()
    {
        var bytes = CsvTemplate.For(new Organization { Name = "A" }).ToBytes();

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'f' }, bytes[..4]);
    }
}
