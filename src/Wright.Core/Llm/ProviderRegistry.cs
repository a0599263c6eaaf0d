using Wright.Core.Secrets;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Wright.Core.Errors;
using AnthropicClientOptions = Anthropic.Core.ClientOptions;

namespace Wright.Core.Llm;

/// <summary>A model resolved for a call: its endpoint, its name and what the catalog knows of it (null: unknown, priced at zero).</summary>
public sealed record ResolvedModel(ProviderEndpoint Endpoint, ModelName Name, ModelInfo? Info, int MaxOutputTokens);

/// <summary>
/// The provider endpoints Wright can call: those configured (<c>Llm:Providers</c>, environment)
/// merged with those added through the API (which win), and one <see cref="IChatClient"/> per
/// endpoint and model, all over one HTTP stack whose timeouts and errors are Wright's own.
/// </summary>
public sealed class ProviderRegistry : IDisposable
{
    /// <summary>The Data Protection purpose of stored provider API keys.</summary>
    public const string ProviderKeyPurpose = "provider-keys";

    private readonly LlmOptions _options;
    private readonly ILlmSettingsRepository _settings;
    private readonly ISecretProtector _secrets;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new();

    // Stored keys decrypted once each (every prompt resolves its model): by their protected form,
    // so a changed key is a new entry. Bounded; cleared when full.
    private readonly ConcurrentDictionary<string, string> _unprotected = new(StringComparer.Ordinal);
    private const int MaxUnprotected = 64;

    public ProviderRegistry(IOptions<LlmOptions> options, ILlmSettingsRepository settings, ISecretProtector secrets, TimeProvider time)
    {
        _options = options.Value;
        _settings = settings;
        _secrets = secrets;
        _time = time;
        var sockets = new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        };

        // No HttpClient timeout: a long answer may stream for many minutes. Silence is bounded by
        // the idle timeout instead, and the caller's token ends everything else.
        _http = new HttpClient(new ProviderHttpHandler(sockets, _options.StreamIdleTimeout, time)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public LlmOptions Options => _options;

    /// <summary>Every usable endpoint, configured and stored, by name.</summary>
    public async Task<IReadOnlyList<ProviderEndpoint>> ListAsync(CancellationToken cancellationToken)
    {
        var endpoints = new Dictionary<string, ProviderEndpoint>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, configured) in _options.Providers)
        {
            var kind = ProviderKinds.Parse(configured.Kind) ?? KnownProviders.DefaultKind(name) ?? ProviderKind.OpenAI;
            var baseUrl = configured.BaseUrl is { Length: > 0 } url ? url : KnownProviders.DefaultBaseUrl(name);
            if (baseUrl is null)
            {
                continue;
            }

            endpoints[name] = new ProviderEndpoint(name.ToLowerInvariant(), kind, new Uri(baseUrl), NonEmpty(configured.ApiKey), ProviderSources.Configuration);
        }

        foreach (var stored in await _settings.ListProvidersAsync(cancellationToken).ConfigureAwait(false))
        {
            endpoints.TryGetValue(stored.Name, out var configured);
            var baseUrl = stored.BaseUrl ?? configured?.BaseUrl.ToString() ?? KnownProviders.DefaultBaseUrl(stored.Name);
            if (baseUrl is null)
            {
                continue;
            }

            var key = stored.ProtectedApiKey is { } protectedKey ? Unprotect(protectedKey) : configured?.ApiKey;
            endpoints[stored.Name] = new ProviderEndpoint(stored.Name, stored.Kind, new Uri(baseUrl), key, ProviderSources.Api);
        }

        return endpoints.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    private string Unprotect(string protectedKey)
    {
        if (_unprotected.TryGetValue(protectedKey, out var key))
        {
            return key;
        }

        if (_unprotected.Count >= MaxUnprotected)
        {
            _unprotected.Clear();
        }

        return _unprotected[protectedKey] = _secrets.Unprotect(ProviderKeyPurpose, protectedKey);
    }

    /// <summary>The catalog with configuration and API overrides applied.</summary>
    public async Task<IReadOnlyDictionary<string, ModelInfo>> CatalogAsync(CancellationToken cancellationToken)
    {
        var stored = await _settings.ListModelOverridesAsync(cancellationToken).ConfigureAwait(false);
        return ModelCatalog.Build(_options.Models, stored);
    }

    /// <summary>Resolves <paramref name="requested"/> (or the default model) to an endpoint; <c>model_unknown</c> when its provider is not configured.</summary>
    public async Task<ResolvedModel> ResolveAsync(string? requested, CancellationToken cancellationToken)
    {
        var endpoints = await ListAsync(cancellationToken).ConfigureAwait(false);
        var nameText = requested is { Length: > 0 } ? requested : _options.DefaultModel;
        if (string.IsNullOrWhiteSpace(nameText))
        {
            throw WrightException.Invalid(ErrorCodes.ModelUnknown, $"No model was given and no default is set: pass model as provider/model, or set {Hosting.WrightConfigNames.DefaultModelVariable}.");
        }

        var name = ModelName.Parse(nameText);
        var endpoint = endpoints.FirstOrDefault(e => e.Name == name.Provider)
            ?? throw WrightException.Invalid(ErrorCodes.ModelUnknown, $"'{name}' names the provider '{name.Provider}', which is not configured. Configured: {string.Join(", ", endpoints.Select(e => e.Name))}. Add it with PUT /api/providers/{name.Provider} or its environment variables.");
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);

        // An endpoint named after a catalog provider shares its prices; a custom name looks its
        // model up under every provider of the same protocol (an Anthropic proxy, say).
        // An alias (claude-sonnet-4-5) is priced from its newest dated entry (claude-sonnet-4-5-20250929).
        catalog.TryGetValue(name.ToString(), out var info);
        info ??= ModelCatalog.Dated(catalog.Values.Where(m => m.Provider.Equals(name.Provider, StringComparison.OrdinalIgnoreCase)), name.Model);
        info ??= catalog.Values.FirstOrDefault(m => m.Model.Equals(name.Model, StringComparison.OrdinalIgnoreCase) && ProviderKinds.Parse(m.Provider) == endpoint.Kind);
        info ??= ModelCatalog.Dated(catalog.Values.Where(m => ProviderKinds.Parse(m.Provider) == endpoint.Kind), name.Model);
        var maxOutput = Math.Min(info?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens, _options.DefaultMaxOutputTokens);
        return new ResolvedModel(endpoint, name, info, maxOutput);
    }

    /// <summary>The chat client of one model on one endpoint (cached; a changed key or URL makes a new one).</summary>
    public IChatClient ClientFor(ResolvedModel model) =>
        _clients.GetOrAdd($"{model.Endpoint.Identity}|{model.Name.Model}|{model.MaxOutputTokens}", _ => Create(model));

    public async Task<ProviderEndpoint?> SaveAsync(string name, string? kind, string? baseUrl, string? apiKey, bool clearApiKey, CancellationToken cancellationToken)
    {
        ProviderNames.Validate(name);
        ProviderKind? parsedKind = kind is null ? null : ProviderKinds.Parse(kind) ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "kind is 'anthropic' or 'openai'.");
        if (baseUrl is { Length: > 0 } && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "baseUrl must be an absolute http(s) URL.");
        }

        var existing = (await _settings.ListProvidersAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Name == name);
        var configured = _options.Providers.GetValueOrDefault(name);
        var effectiveBaseUrl = NonEmpty(baseUrl) ?? existing?.BaseUrl ?? configured?.BaseUrl ?? KnownProviders.DefaultBaseUrl(name);
        if (effectiveBaseUrl is null)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"'{name}' is not a provider Wright knows: give its baseUrl (and kind 'anthropic' if it speaks the Anthropic protocol).");
        }

        var now = _time.GetUtcNow();
        var key = NonEmpty(apiKey);
        var stored = new StoredProvider(
            name,
            parsedKind ?? existing?.Kind ?? ProviderKinds.Parse(configured?.Kind) ?? KnownProviders.DefaultKind(name) ?? ProviderKind.OpenAI,
            NonEmpty(baseUrl) ?? existing?.BaseUrl,
            key is not null ? _secrets.Protect(ProviderKeyPurpose, key).Ciphertext : clearApiKey ? null : existing?.ProtectedApiKey,
            key is not null ? SecretHint.Mask(key) : clearApiKey ? null : existing?.ApiKeyHint,
            existing?.CreatedAt ?? now,
            now);
        await _settings.UpsertProviderAsync(stored, cancellationToken).ConfigureAwait(false);
        return (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Name == name);
    }

    /// <summary>The masked form of an endpoint's key, for lists.</summary>
    public string? HintOf(ProviderEndpoint endpoint) => endpoint.ApiKey is { } key ? SecretHint.Mask(key) : null;

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => _settings.DeleteProviderAsync(name, cancellationToken);

    public Task SaveModelAsync(ModelName name, ModelOverride values, CancellationToken cancellationToken) =>
        _settings.UpsertModelOverrideAsync(name.ToString(), values, cancellationToken);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _http.Dispose();
    }

    /// <summary>
    /// The body the provider client would send for <paramref name="request"/>, produced by the same
    /// client and options as a real call but caught before it leaves the process: the prompt
    /// preview shows this, so it is the wire by construction.
    /// </summary>
    public Task<Answers.WireRequest> RenderWireAsync(LlmRequest request, CancellationToken cancellationToken) =>
        WireCapture.RenderAsync(http => Create(request.Model, http), request.Messages, LlmStreamer.OptionsFor(request), cancellationToken);

    private IChatClient Create(ResolvedModel model) => Create(model, _http);

    private static IChatClient Create(ResolvedModel model, HttpClient http)
    {
        var endpoint = model.Endpoint;
        if (endpoint.Kind == ProviderKind.Anthropic)
        {
            var anthropic = new AnthropicClient(new AnthropicClientOptions
            {
                ApiKey = endpoint.ApiKey ?? "",
                BaseUrl = endpoint.BaseUrl.ToString().TrimEnd('/'),
                HttpClient = http,

                // Retries are ours (before the first token only); timeouts are the idle timeout.
                MaxRetries = 0,
                Timeout = TimeSpan.FromDays(1),
            });
            return new AnthropicToolCache(anthropic.AsIChatClient(model.Name.Model, model.MaxOutputTokens));
        }

        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromDays(1),
        };

        // Local servers (Ollama, vLLM) take no key, but the SDK requires a non-empty one.
        var chat = new ChatClient(model.Name.Model, new ApiKeyCredential(endpoint.ApiKey ?? "no-key"), options);
        return chat.AsIChatClient();
    }

    /// <summary>Records the first request's body and answers every request with a failure, so nothing reaches a provider.</summary>
    internal sealed class WireCapture : HttpMessageHandler
    {
        public Answers.WireRequest? Captured { get; private set; }

        /// <summary>
        /// The body of the request the client <paramref name="create"/> makes over a capturing
        /// HttpClient sends for <paramref name="messages"/>; nothing leaves the process.
        /// </summary>
        public static async Task<Answers.WireRequest> RenderAsync(Func<HttpClient, IChatClient> create, IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        {
            using var capture = new WireCapture();
            using var http = new HttpClient(capture, disposeHandler: false);
            using var client = create(http);
            try
            {
                await foreach (var _ in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (capture.Captured is not null && ex is not OperationCanceledException)
            {
                // Expected: the capture refuses every request once it has read its body.
            }

            return capture.Captured ?? throw new InvalidOperationException("The provider client sent no request to render.");
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            Captured ??= new Answers.WireRequest(request.Method.Method, request.RequestUri?.AbsolutePath ?? "", body);
            return new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest) { Content = new StringContent("{\"error\":{\"type\":\"preview\",\"message\":\"preview only\"}}") };
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
