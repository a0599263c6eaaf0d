namespace Wright.Core.Accounts;

/// <summary>What a user may do beyond their own projects: admins also manage users and read the audit log.</summary>
public enum UserRole
{
    Member,
    Admin,
}

/// <summary>A person who logs in to Wright. The password hash never leaves Core and Storage.</summary>
public sealed record User(
    Guid Id,
    string UserName,
    UserRole Role,
    string PasswordHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DisabledAt)
{
    public bool IsDisabled => DisabledAt is not null;

    public bool IsAdmin => Role == UserRole.Admin;
}

/// <summary>
/// Who is asking: the verified user of a request (or the CLI on the server's machine), passed into
/// Core services explicitly so that Core never looks at HTTP. <see cref="Address"/> is the
/// client's IP address when there is one, for the audit log.
/// </summary>
public sealed record Actor(Guid UserId, string UserName, UserRole Role, string? Address = null)
{
    /// <summary>The id the command line acts under: it runs on the server's machine with access to its data, so it is trusted like an admin.</summary>
    public static readonly Guid CommandLineId = Guid.Empty;

    /// <summary>`wright user …` and `wright token …`: local administration through the database.</summary>
    public static Actor CommandLine { get; } = new(CommandLineId, "cli", UserRole.Admin);

    public bool IsAdmin => Role == UserRole.Admin;

    public static Actor Of(User user, string? address = null) => new(user.Id, user.UserName, user.Role, address);
}

/// <summary>What a personal access token may be used for.</summary>
public static class TokenScopes
{
    /// <summary>Every API endpoint the user may use.</summary>
    public const string Api = "api";

    /// <summary>Only posting agent hook events: safe to leave in an agent's settings file.</summary>
    public const string Hooks = "hooks";

    public static IReadOnlyList<string> All { get; } = [Api, Hooks];
}
