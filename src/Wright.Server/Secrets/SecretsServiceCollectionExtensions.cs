using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Wright.Core.Secrets;
using Wright.Storage.Accounts;
using Wright.Storage.Database;

namespace Wright.Server.Secrets;

/// <summary>ASP.NET Core Data Protection with Wright's key storage, and the secret protector built on it.</summary>
public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Keys live in the database for PostgreSQL (shared by every instance) and in
    /// <c>&lt;data dir&gt;/keys</c> with owner-only permissions for SQLite.
    /// </summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services, string dataDir)
    {
        services.AddDataProtection().SetApplicationName("Wright");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = provider.GetRequiredService<WrightDatabase>().Dialect == DatabaseDialect.Postgres
                ? new DatabaseKeyRepository(provider.GetRequiredService<DataProtectionKeyStore>(), provider.GetRequiredService<TimeProvider>())
                : new KeyDirectoryRepository(Path.Combine(dataDir, "keys"));
        }));
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        return services;
    }
}

/// <summary>Encrypts stored secrets with Data Protection, one purpose per kind of secret.</summary>
internal sealed class DataProtectionSecretProtector : ISecretProtector
{
    private const string RootPurpose = "Wright.Secrets.v1";

    private readonly IDataProtectionProvider _protection;

    public DataProtectionSecretProtector(IDataProtectionProvider protection)
    {
        _protection = protection;
    }

    public ProtectedSecret Protect(string purpose, string secret) =>
        new(_protection.CreateProtector(RootPurpose, purpose).Protect(secret), SecretHint.Mask(secret));

    public string Unprotect(string purpose, string ciphertext) =>
        _protection.CreateProtector(RootPurpose, purpose).Unprotect(ciphertext);
}
