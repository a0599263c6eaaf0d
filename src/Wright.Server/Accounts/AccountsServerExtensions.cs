using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>Accounts in the host: authentication, authorization policies, CSRF, login throttling, first-admin setup.</summary>
public static class AccountsServerExtensions
{
    /// <summary>What `wright user` and `wright token` need: the account services and password hashing, without the web parts.</summary>
    public static IServiceCollection AddWrightAccountAdministration(this IServiceCollection services)
    {
        services.AddAccounts();
        services.TryAddSingleton<IPasswordHashing, PasswordHashing>();
        return services;
    }

    /// <summary>Everything the server needs for accounts; lifetimes and login limits come from <c>Wright:Accounts</c> in <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddWrightAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWrightAccountAdministration();
        services.Configure<AccountsOptions>(configuration.GetSection(AccountsOptions.Section));
        services.TryAddSingleton<AccessTokenFormat>();
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<FirstAdminSetup>();
        services.AddHostedService<RefreshTokenPurge>();
        services.AddAuthentication(WrightClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, WrightAuthenticationHandler>(WrightClaims.Scheme, _ => { });

        // Everything needs a user whose token scope allows the endpoint, unless it says
        // AllowAnonymous; this includes routes that match no endpoint, so an anonymous client
        // cannot even map the API by its 404s.
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(WrightPolicies.User)
            .SetFallbackPolicy(WrightPolicies.User)
            .AddPolicy(WrightPolicies.Admin, WrightPolicies.AdminOnly);
        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }

    /// <summary>Authentication, then CSRF (it needs to know nothing but headers and cookies), then authorization.</summary>
    public static IApplicationBuilder UseWrightAccounts(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseMiddleware<CsrfProtection>();
        app.UseAuthorization();
        return app;
    }
}
