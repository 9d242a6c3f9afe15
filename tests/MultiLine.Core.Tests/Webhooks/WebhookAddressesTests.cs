using System.Net;
using MultiLine.Core.Webhooks;

namespace MultiLine.Core.Tests.Webhooks;

/// <summary>Which addresses the portal refuses to call: every way of writing an address inside a network.</summary>
public sealed class WebhookAddressesTests
{
    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.0.170")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("192.88.99.1")]
    [InlineData("224.0.0.1")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    public void PrivateAndReservedIPv4AddressesAreRefused(string address) =>
        Assert.True(WebhookAddresses.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("64:ff9b:1::a00:1")]
    [InlineData("100::1")]
    [InlineData("2001:db8::1")]
    public void PrivateAndReservedIPv6AddressesAreRefused(string address) =>
        Assert.True(WebhookAddresses.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:198.18.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("::10.0.0.1")]
    [InlineData("64:ff9b::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::192.168.0.1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:a9fe:a9fe::")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe")] // Teredo, client 10.0.0.1
    public void IPv6AddressesCarryingAPrivateIPv4AddressAreRefused(string address) =>
        Assert.True(WebhookAddresses.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("198.17.255.1")]
    [InlineData("198.20.0.1")]
    [InlineData("192.0.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::5db8:d822")]
    [InlineData("2002:5db8:d822::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:a247:27dd")] // Teredo, client 93.184.216.34
    public void PublicAddressesAreAllowed(string address) =>
        Assert.False(WebhookAddresses.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("https://198.18.0.1/x", "198.18.0.1")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest", "[64:ff9b::a9fe:a9fe]")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x", "[2002:a9fe:a9fe::1]")]
    [InlineData("https://[::ffff:10.0.0.1]/x", "[::ffff:10.0.0.1]")]
    public void AnEndpointWrittenAsSuchAnAddressIsNotSaved(string url, string host) =>
        Assert.Equal($"{host} is a local or private network address. The portal only calls public addresses.", WebhookAddresses.Refusal(url, allowPrivate: false));

    [Fact]
    public void TheWebhookClientConnectsDirectlyNeverThroughAProxy()
    {
        using var handler = WebhookServices.CreateHandler(new WebhookOptions());
        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
    }
}
