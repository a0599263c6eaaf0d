using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Wright.Core.Llm;

/// <summary>A provider answered with an error status; carries what the retry policy needs.</summary>
internal sealed class ProviderHttpException : HttpRequestException
{
    public ProviderHttpException(int status, TimeSpan? retryAfter, bool? shouldRetry, string body)
        : base($"The provider answered HTTP {status}.", null, (HttpStatusCode)status)
    {
        Status = status;
        RetryAfter = retryAfter;
        ShouldRetry = shouldRetry;
        Body = body;
    }

    public int Status { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The provider's <c>x-should-retry</c> header, when it sent one.</summary>
    public bool? ShouldRetry { get; }

    /// <summary>The start of the error body (never a secret of ours: it is what the provider wrote).</summary>
    public string Body { get; }
}

/// <summary>The provider went silent for longer than the idle timeout.</summary>
internal sealed class ProviderIdleTimeoutException : TimeoutException
{
    public ProviderIdleTimeoutException(TimeSpan idle)
        : base($"The provider sent nothing for {idle.TotalSeconds:0.###} s.")
    {
    }
}

/// <summary>
/// The innermost handler of every provider client. It owns the failure modes the SDKs would
/// otherwise each report their own way: an error status becomes a <see cref="ProviderHttpException"/>
/// (with <c>retry-after</c> and <c>x-should-retry</c>), and silence longer than the idle timeout,
/// before the headers or between two reads of the body, becomes a
/// <see cref="ProviderIdleTimeoutException"/>. The SDKs' own retries are off, so this is the
/// only place a response is judged.
/// </summary>
internal sealed class ProviderHttpHandler : DelegatingHandler
{
    private const int MaxErrorBodyChars = 2_000;

    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;

    public ProviderHttpHandler(HttpMessageHandler inner, TimeSpan idleTimeout, TimeProvider time)
        : base(inner)
    {
        _idleTimeout = idleTimeout;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using (var headersDeadline = new CancellationTokenSource(_idleTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, headersDeadline.Token))
        {
            try
            {
                response = await base.SendAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (headersDeadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Our deadline, not the caller's cancellation: report it as the timeout it is.
                throw new ProviderIdleTimeoutException(_idleTimeout);
            }
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ProviderHttpException((int)response.StatusCode, RetryAfterOf(response), ShouldRetryOf(response), body);
            }
        }

        var inner = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var content = new StreamContent(new IdleTimeoutStream(inner, _idleTimeout, _time));
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] : text;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status is what matters; a body cut short only loses the detail.
            return "";
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        // retry-after-ms (OpenAI) is more precise than retry-after when both are sent.
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) &&
            double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static bool? ShouldRetryOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-should-retry", out var values) && values.FirstOrDefault() is { } value
            ? value.Equals("true", StringComparison.OrdinalIgnoreCase)
            : null;

    /// <summary>A response body whose every read must return within the idle timeout.</summary>
    private sealed class IdleTimeoutStream : Stream
    {
        private readonly Stream _inner;
        private readonly TimeSpan _idle;
        private readonly TimeProvider _time;

        public IdleTimeoutStream(Stream inner, TimeSpan idle, TimeProvider time)
        {
            _inner = inner;
            _idle = idle;
            _time = time;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var deadline = new CancellationTokenSource(_idle, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                return await _inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The read was cut by our idle deadline, not by the caller.
                throw new ProviderIdleTimeoutException(_idle);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Synchronous reads are not bounded by the idle timeout; the SDKs read asynchronously.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
