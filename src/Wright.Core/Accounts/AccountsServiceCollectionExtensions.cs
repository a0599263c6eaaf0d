using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Wright.Core.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Registers users, logins, personal access tokens and the audit log; the host adds password hashing and storage.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AccountsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountsOptions>, AccountsOptionsValidator>());
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<UserService>();
        services.TryAddSingleton<LoginService>();
        services.TryAddSingleton<PersonalAccessTokenService>();
        return services;
    }
}
