namespace Wright.Core.Errors;

/// <summary>What kind of failure an error is; the server maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    Unavailable,

    /// <summary>Too many requests for now (per-user limits, a provider's rate limit); retry later.</summary>
    RateLimited,

    /// <summary>An upstream service (an LLM provider) answered wrongly or refused our credentials.</summary>
    BadGateway,

    /// <summary>An upstream service (an LLM provider) did not answer in time.</summary>
    GatewayTimeout,
}

/// <summary>A failure a user can act on: a stable machine-readable code and a human detail.</summary>
public sealed class WrightException : Exception
{
    public WrightException(ErrorKind kind, string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null, Exception? inner = null)
        : base(detail, inner)
    {
        Kind = kind;
        Code = code;
        Extensions = extensions ?? new Dictionary<string, object?>();
    }

    public ErrorKind Kind { get; }

    public string Code { get; }

    /// <summary>Extra members of the problem document (for example the current ETag on a conflict).</summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; }

    public static WrightException Invalid(string code, string detail) => new(ErrorKind.Invalid, code, detail);

    public static WrightException NotFound(string code, string detail) => new(ErrorKind.NotFound, code, detail);

    public static WrightException Unauthorized(string code, string detail) => new(ErrorKind.Unauthorized, code, detail);

    public static WrightException Forbidden(string code, string detail) => new(ErrorKind.Forbidden, code, detail);

    public static WrightException Conflict(string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(ErrorKind.Conflict, code, detail, extensions);
}
