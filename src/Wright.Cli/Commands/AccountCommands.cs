using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Paging;
using Wright.Server.Accounts;
using Wright.Storage;
using Wright.Storage.Database;

namespace Wright.Cli.Commands;

/// <summary>
/// `wright user …` and `wright token create`: administration straight on the data directory or
/// database, for the first admin, a forgotten password or a CI token. They work while the server
/// runs (the database serialises writers) and act as the trusted local <see cref="Actor.CommandLine"/>,
/// recorded as "cli" in the audit log.
/// </summary>
internal static class AccountCommands
{
    /// <summary>Exit code of an account command the data refused (unknown user, name taken, …).</summary>
    public const int Failed = 1;

    public static Command CreateUser()
    {
        var user = new Command("user", "Manage users (on the data directory or database directly).");

        var name = NameArgument();
        var admin = new Option<bool>("--admin") { Description = "Make the user an admin." };
        var passwordStdin = PasswordStdinOption();
        var add = new Command("add", "Add a user; the password is read from standard input.") { name, admin, passwordStdin };
        var storage = StorageOptions.AddTo(add);
        add.SetAction((parse, cancellationToken) => RunAsync(parse, storage, async (services, ct) =>
        {
            var password = await ReadPasswordAsync(parse.GetValue(passwordStdin), ct);
            var created = await services.GetRequiredService<UserService>().CreateAsync(
                Actor.CommandLine, parse.GetValue(name)!, password, parse.GetValue(admin) ? UserRole.Admin : UserRole.Member, ct);
            await Console.Out.WriteLineAsync($"Added {UserService.Role(created.Role)} '{created.UserName}' ({created.Id}).");
        }, cancellationToken));

        var list = new Command("list", "List users.");
        var listStorage = StorageOptions.AddTo(list);
        list.SetAction((parse, cancellationToken) => RunAsync(parse, listStorage, async (services, ct) =>
        {
            var users = services.GetRequiredService<UserService>();
            await Console.Out.WriteLineAsync($"{"NAME",-24} {"ROLE",-7} {"STATE",-9} CREATED");
            string? cursor = null;
            do
            {
                var page = await users.ListAsync(Actor.CommandLine, new PageRequest(PageRequest.MaxLimit, cursor), ct);
                foreach (var u in page.Items)
                {
                    await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{u.UserName,-24} {UserService.Role(u.Role),-7} {(u.IsDisabled ? "disabled" : "active"),-9} {u.CreatedAt:yyyy-MM-dd HH:mm}Z"));
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }, cancellationToken));

        var passwdName = NameArgument();
        var passwdStdin = PasswordStdinOption();
        var passwd = new Command("passwd", "Set a user's password (read from standard input); their logins end at the next refresh.") { passwdName, passwdStdin };
        var passwdStorage = StorageOptions.AddTo(passwd);
        passwd.SetAction((parse, cancellationToken) => RunAsync(parse, passwdStorage, async (services, ct) =>
        {
            var password = await ReadPasswordAsync(parse.GetValue(passwdStdin), ct);
            var updated = await services.GetRequiredService<UserService>().UpdateByNameAsync(Actor.CommandLine, parse.GetValue(passwdName)!, null, null, password, ct);
            await Console.Out.WriteLineAsync($"Changed the password of '{updated.UserName}'.");
        }, cancellationToken));

        user.Subcommands.Add(add);
        user.Subcommands.Add(list);
        user.Subcommands.Add(passwd);
        user.Subcommands.Add(StateCommand("disable", "Disable a user: their tokens stop working, their logins end at the next refresh.", disabled: true));
        user.Subcommands.Add(StateCommand("enable", "Enable a disabled user again.", disabled: false));
        return user;
    }

    public static Command CreateToken()
    {
        var token = new Command("token", "Manage personal access tokens.");
        var name = new Argument<string>("NAME") { Description = "What the token is for (shown in the token list)." };
        var user = new Option<string>("--user") { Description = "The user the token acts as.", DefaultValueFactory = _ => FirstAdminSetup.AdminUserName };
        var scopes = new Option<string[]>("--scope") { Description = $"Scope: {string.Join(" or ", TokenScopes.All)} (repeatable; default api).", AllowMultipleArgumentsPerToken = true };
        var days = new Option<int?>("--expires-in-days") { Description = "Lifetime in days (default: until revoked)." };
        var create = new Command("create", "Create a token and print it (once) on standard output.") { name, user, scopes, days };
        var storage = StorageOptions.AddTo(create);
        create.SetAction((parse, cancellationToken) => RunAsync(parse, storage, async (services, ct) =>
        {
            var owner = await services.GetRequiredService<UserService>().GetByNameAsync(Actor.CommandLine, parse.GetValue(user)!, ct);
            var created = await services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(
                Actor.CommandLine, owner.Id, parse.GetValue(name), parse.GetValue(days), parse.GetValue(scopes), ct);
            await Console.Error.WriteLineAsync($"Created token '{created.Token.Name}' for '{owner.UserName}' with scopes {string.Join(' ', created.Token.Scopes)}; it is shown only now:");
            await Console.Out.WriteLineAsync(created.Secret);
        }, cancellationToken));
        token.Subcommands.Add(create);
        return token;
    }

    private static Command StateCommand(string verb, string description, bool disabled)
    {
        var name = NameArgument();
        var command = new Command(verb, description) { name };
        var storage = StorageOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, storage, async (services, ct) =>
        {
            var updated = await services.GetRequiredService<UserService>().UpdateByNameAsync(Actor.CommandLine, parse.GetValue(name)!, null, disabled, null, ct);
            await Console.Out.WriteLineAsync($"'{updated.UserName}' is {(updated.IsDisabled ? "disabled" : "enabled")}.");
        }, cancellationToken));
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The user name." };

    private static Option<bool> PasswordStdinOption() => new("--password-stdin") { Description = "Read the password from the first line of standard input (required: passwords never go on the command line)." };

    private static async Task<string> ReadPasswordAsync(bool fromStdin, CancellationToken cancellationToken)
    {
        if (!fromStdin)
        {
            throw new UsageException("pass --password-stdin and write the password to standard input (passwords never go on the command line).");
        }

        var line = await Console.In.ReadLineAsync(cancellationToken);
        return string.IsNullOrEmpty(line) ? throw new UsageException("standard input held no password.") : line;
    }

    private static async Task<int> RunAsync(ParseResult parse, StorageOptions storage, Func<IServiceProvider, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var dataDir = storage.DataDirOf(parse);
        var database = storage.DatabaseOf(parse);
        if (StorageOptions.ProblemWith(database) is { } problem)
        {
            await Console.Error.WriteLineAsync($"wright: {problem}");
            return WrightCommandLine.UsageError;
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddStorage(database, dataDir);
        services.AddWrightAccountAdministration();
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            await action(provider, cancellationToken);
            return 0;
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"wright: {ex.Message}");
            return WrightCommandLine.UsageError;
        }
        catch (WrightException ex)
        {
            await Console.Error.WriteLineAsync($"wright: {ex.Message} ({ex.Code})");
            return Failed;
        }
        catch (DbException ex)
        {
            await Console.Error.WriteLineAsync($"wright: cannot use {provider.GetRequiredService<WrightDatabase>().Description}: {ex.Message}");
            return Failed;
        }
    }

    private sealed class UsageException(string message) : Exception(message);
}
