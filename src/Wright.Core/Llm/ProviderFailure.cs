using System.ClientModel;
using System.Net.Sockets;
using Anthropic.Exceptions;
using Wright.Core.Errors;

namespace Wright.Core.Llm;

/// <summary>
/// A failed provider call, classified once: the stable error code the user sees, whether a retry
/// may help (and after how long), and whether it counts against the endpoint's circuit breaker.
/// </summary>
internal sealed class ProviderFailure : Exception
{
    public ProviderFailure(ErrorKind kind, string code, string detail, bool retryable, bool endpointFault, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(detail, inner)
    {
        Kind = kind;
        Code = code;
        Retryable = retryable;
        EndpointFault = endpointFault;
        RetryAfter = retryAfter;
    }

    public ErrorKind Kind { get; }

    public string Code { get; }

    public bool Retryable { get; }

    /// <summary>The endpoint itself is failing (5xx, overload, connection, timeout), as opposed to this request being refused.</summary>
    public bool EndpointFault { get; }

    public TimeSpan? RetryAfter { get; }

    public WrightException ToWrightException()
    {
        var extensions = new Dictionary<string, object?>();
        if (RetryAfter is { } wait)
        {
            extensions["retryAfterSeconds"] = (int)Math.Ceiling(wait.TotalSeconds);
        }

        return new WrightException(Kind, Code, Message, extensions, this);
    }

    /// <summary>Classifies whatever a provider SDK threw; <paramref name="provider"/> names the endpoint in the detail.</summary>
    public static ProviderFailure Classify(Exception exception, string provider)
    {
        if (exception is ProviderFailure already)
        {
            return already;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ProviderHttpException http:
                    return FromStatus(http.Status, http.Body, http.RetryAfter, http.ShouldRetry, provider, exception);
                case ProviderIdleTimeoutException idle:
                    return new ProviderFailure(ErrorKind.GatewayTimeout, ErrorCodes.ProviderTimeout, $"{provider} did not answer in time: {idle.Message} Try again; if it keeps happening, check the provider's status.", retryable: true, endpointFault: true, inner: exception);
                case AnthropicSseException sse:
                    return FromStreamError(sse.Message, provider, exception);
                case ClientResultException client when client.Status > 0:
                    return FromStatus(client.Status, client.Message, null, null, provider, exception);
                case SocketException or TimeoutException:
                    return Unreachable(provider, exception);
            }
        }

        if (exception is HttpRequestException or IOException || exception.InnerException is HttpRequestException or IOException)
        {
            return Unreachable(provider, exception);
        }

        if (exception is OperationCanceledException)
        {
            // Not the caller's cancellation (the caller checks that first): an SDK or transport deadline.
            return new ProviderFailure(ErrorKind.GatewayTimeout, ErrorCodes.ProviderTimeout, $"{provider} did not answer in time. Try again.", retryable: true, endpointFault: true, inner: exception);
        }

        return new ProviderFailure(ErrorKind.BadGateway, ErrorCodes.ProviderStreamFailed, $"{provider} sent a response Wright could not read ({exception.GetType().Name}). Try again or pick another model.", retryable: false, endpointFault: false, inner: exception);
    }

    private static ProviderFailure Unreachable(string provider, Exception exception) =>
        new(ErrorKind.Unavailable, ErrorCodes.ProviderUnavailable, $"{provider} could not be reached or closed the connection. Check its base URL and network, then try again.", retryable: true, endpointFault: true, inner: exception);

    private static ProviderFailure FromStreamError(string message, string provider, Exception exception)
    {
        if (message.Contains("overloaded", StringComparison.OrdinalIgnoreCase))
        {
            return new ProviderFailure(ErrorKind.Unavailable, ErrorCodes.ProviderOverloaded, $"{provider} is overloaded right now. Try again in a moment or pick another model.", retryable: true, endpointFault: true, inner: exception);
        }

        return new ProviderFailure(ErrorKind.Unavailable, ErrorCodes.ProviderUnavailable, $"{provider} reported an error in the middle of its answer. Try again.", retryable: true, endpointFault: true, inner: exception);
    }

    private static ProviderFailure FromStatus(int status, string body, TimeSpan? retryAfter, bool? shouldRetry, string provider, Exception exception)
    {
        var failure = status switch
        {
            401 or 403 => new ProviderFailure(ErrorKind.BadGateway, ErrorCodes.ProviderAuthFailed, $"{provider} refused the API key (HTTP {status}). Check the key in /api/providers or the environment.", false, false, inner: exception),
            404 => new ProviderFailure(ErrorKind.Invalid, ErrorCodes.ModelUnknown, $"{provider} does not know this model (HTTP 404). Pick a model the provider serves.", false, false, inner: exception),
            400 or 413 or 422 when IsContextTooLong(body) => new ProviderFailure(ErrorKind.Invalid, ErrorCodes.ContextTooLong, $"The conversation is longer than the model's context window ({provider}, HTTP {status}). Start a new session, fork from an earlier message, or pick a model with a larger window.", false, false, inner: exception),
            429 => new ProviderFailure(ErrorKind.RateLimited, ErrorCodes.RateLimited, $"{provider} rate-limited this API key (HTTP 429). Wait a moment and try again.", true, false, retryAfter, exception),
            529 or 503 => new ProviderFailure(ErrorKind.Unavailable, ErrorCodes.ProviderOverloaded, $"{provider} is overloaded (HTTP {status}). Try again in a moment or pick another model.", true, true, retryAfter, exception),
            408 or 409 or >= 500 => new ProviderFailure(ErrorKind.Unavailable, ErrorCodes.ProviderUnavailable, $"{provider} failed (HTTP {status}). Try again in a moment.", true, true, retryAfter, exception),
            _ => new ProviderFailure(ErrorKind.BadGateway, ErrorCodes.ProviderRejected, $"{provider} rejected the request (HTTP {status}): {Shorten(body)}", false, false, inner: exception),
        };

        // The provider's own word on retrying wins over our table, as its SDKs do.
        return shouldRetry is { } retry && retry != failure.Retryable
            ? new ProviderFailure(failure.Kind, failure.Code, failure.Message, retry, failure.EndpointFault, retryAfter, exception)
            : failure;
    }

    private static bool IsContextTooLong(string body) =>
        body.Contains("context_length_exceeded", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("maximum context length", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("context window", StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
