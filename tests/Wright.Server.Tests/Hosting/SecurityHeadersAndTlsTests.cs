using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Wright.Server.Hosting;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Hosting;

public sealed class SecurityHeadersAndTlsTests
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/api/no-such-route")]
    [InlineData("/openapi/v1.json")]
    public async Task AnyResponse_CarriesTheSecurityHeaders(string path)
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.Client.GetAsync(path).Bounded();

        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("script-src 'self'");
        response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse("HSTS only over HTTPS");
    }

    [Fact]
    public async Task AppPolicy_FramesOnlyItselfAndPreviewHostsOnItsOwnPort()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.Client.GetAsync("/health").Bounded();

        var directives = response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries);
        var port = server.Client.BaseAddress!.Port;
        directives.Single(d => d.StartsWith("frame-src ", StringComparison.Ordinal)).ShouldBe($"frame-src 'self' http://*.localhost:{port}");
        directives.ShouldContain("default-src 'self'");
        directives.ShouldContain("frame-ancestors 'none'");
        directives.ShouldContain("connect-src 'self'");
    }

    [Fact]
    public async Task RawProjectFile_KeepsItsOwnSandboxPolicy()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var put = new StringContent("""{"content":"<script>alert(1)</script>"}""", System.Text.Encoding.UTF8, "application/json");
        (await server.Client.PutAsync($"/api/projects/{project.Id}/files/page.html", put).Bounded()).EnsureSuccessStatusCode();

        using var response = await server.Client.GetAsync($"/api/projects/{project.Id}/files/page.html?raw=1").Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldNotBe(SecurityHeaders.ContentSecurityPolicy);
        csp.ShouldContain("sandbox");
    }

    [Fact]
    public void RemoteBind_WithoutHttps_IsRefusedUnlessInsecureRemote()
    {
        var options = new ServerOptions { Host = "0.0.0.0", AllowRemote = true };

        options.Validate().ShouldContain(p => p.Contains("needs HTTPS", StringComparison.Ordinal));
        options.InsecureRemote = true;
        options.Validate().ShouldBeEmpty();
    }

    [Fact]
    public void TlsOptions_CertificateWithoutKeyOrMissingFile_AreEachReported()
    {
        var options = new ServerOptions { TlsCertificatePath = "/nonexistent/cert.pem" };

        var problems = options.Validate();

        problems.ShouldContain(p => p.Contains("go together", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("/nonexistent/cert.pem does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoteBind_WithCertificate_IsAcceptedAndServesHttpsWithHsts()
    {
        using var files = new TempDirectory("wright-tls");
        var (certPath, keyPath, thumbprint) = WriteSelfSignedPem(files);
        var remote = new ServerOptions { Host = "0.0.0.0", AllowRemote = true, TlsCertificatePath = certPath, TlsKeyPath = keyPath };
        remote.Validate().ShouldBeEmpty();

        await using var server = await WrightTestServer.StartAsync(o =>
        {
            o.TlsCertificatePath = certPath;
            o.TlsKeyPath = keyPath;
        });
        string? seen = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                seen = certificate?.Thumbprint;
                return certificate?.Thumbprint == thumbprint;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };

        using var response = await client.GetAsync("/health").Bounded();

        server.BaseAddress.Scheme.ShouldBe("https");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        seen.ShouldBe(thumbprint);
        response.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
    }

    private static (string Cert, string Key, string Thumbprint) WriteSelfSignedPem(TempDirectory dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = dir.Combine("cert.pem");
        var keyPath = dir.Combine("key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, certificate.Thumbprint);
    }
}
