using Microsoft.Extensions.Options;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Account settings come from Wright:Accounts and are checked when the server starts.</summary>
public sealed class AccountsOptionsTests
{
    [Fact]
    public async Task Start_WithBadAccountSettings_FailsNamingEveryKey()
    {
        var start = WrightTestServer.StartAsync(builder: b =>
        {
            b.Configuration["Wright:Accounts:AccessTokenLifetime"] = "00:00:02";
            b.Configuration["Wright:Accounts:LoginAttemptsPerUserName"] = "0";
        });

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => start);

        ex.Failures.ShouldContain(f => f.Contains("Wright:Accounts:AccessTokenLifetime", StringComparison.Ordinal));
        ex.Failures.ShouldContain(f => f.Contains("Wright:Accounts:LoginAttemptsPerUserName", StringComparison.Ordinal));
    }
}
