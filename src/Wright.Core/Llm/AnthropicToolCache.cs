using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;
using AnthropicClientOptions = Anthropic.Core.ClientOptions;

namespace Wright.Core.Llm;

/// <summary>
/// The Anthropic client converts every function tool's JSON schema into an Anthropic tool on each
/// call: for Wright's ten tools a few tenths of a millisecond on the way to the first token. Here
/// each tool is converted once, by that same client (its request is caught before it leaves the
/// process, so the tool's bytes are exactly the ones the client would send), and passed on as a
/// ready Anthropic tool afterwards. A tool the client cannot render is passed on as it is.
/// </summary>
internal sealed class AnthropicToolCache(IChatClient inner) : DelegatingChatClient(inner)
{
    private static readonly ConditionalWeakTable<AITool, AITool> Converted = [];

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await base.GetResponseAsync(messages, await ReadyAsync(options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ready = await ReadyAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, ready, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private static async Task<ChatOptions?> ReadyAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        if (options?.Tools is not { Count: > 0 } tools || !tools.Any(t => t is AIFunctionDeclaration))
        {
            return options;
        }

        var ready = new List<AITool>(tools.Count);
        foreach (var tool in tools)
        {
            ready.Add(tool is AIFunctionDeclaration function ? await ConvertAsync(function, cancellationToken).ConfigureAwait(false) : tool);
        }

        var copy = options.Clone();
        copy.Tools = ready;
        return copy;
    }

    private static async Task<AITool> ConvertAsync(AIFunctionDeclaration function, CancellationToken cancellationToken)
    {
        if (Converted.TryGetValue(function, out var known))
        {
            return known;
        }

        var wire = await ProviderRegistry.WireCapture.RenderAsync(
            http => new AnthropicClient(new AnthropicClientOptions { ApiKey = "render", BaseUrl = "http://127.0.0.1", HttpClient = http, MaxRetries = 0 }).AsIChatClient("render", 1),
            [new ChatMessage(ChatRole.User, ".")],
            new ChatOptions { Tools = [function] },
            cancellationToken).ConfigureAwait(false);
        AITool converted = function;
        if (wire.Body.TryGetProperty("tools", out var rendered) && rendered.ValueKind == JsonValueKind.Array && rendered.GetArrayLength() == 1)
        {
            converted = new ToolUnion(rendered[0].Clone()).AsAITool();
        }

        return Converted.GetValue(function, _ => converted);
    }
}
