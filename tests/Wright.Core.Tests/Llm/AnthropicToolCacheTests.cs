using System.Text.Json;
using Anthropic;
using Microsoft.Extensions.AI;
using Wright.Core.Engine;
using Wright.Core.Llm;
using AnthropicClientOptions = Anthropic.Core.ClientOptions;

namespace Wright.Core.Tests.Llm;

public sealed class AnthropicToolCacheTests
{
    [Fact]
    public async Task ToolsConvertedOnce_GoOnTheWire_ByteForByteAsTheClientAloneSendsThem()
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are Wright."), new(ChatRole.User, "Add a test.") };
        var options = new ChatOptions { MaxOutputTokens = 512, Tools = [.. AgentTools.Declarations] };

        var alone = await RenderAsync(http => Client(http), messages, options);
        var first = await RenderAsync(http => new AnthropicToolCache(Client(http)), messages, options);
        var second = await RenderAsync(http => new AnthropicToolCache(Client(http)), messages, options);

        alone.GetProperty("tools").GetArrayLength().ShouldBe(AgentTools.Declarations.Count);
        first.GetRawText().ShouldBe(alone.GetRawText());
        second.GetRawText().ShouldBe(alone.GetRawText(), "the tools converted once and reused");
    }

    private static IChatClient Client(HttpClient http) =>
        new AnthropicClient(new AnthropicClientOptions { ApiKey = "k", BaseUrl = "http://127.0.0.1", HttpClient = http, MaxRetries = 0 }).AsIChatClient("claude-haiku-4-5", 512);

    private static async Task<JsonElement> RenderAsync(Func<HttpClient, IChatClient> create, List<ChatMessage> messages, ChatOptions options) =>
        (await ProviderRegistry.WireCapture.RenderAsync(create, messages, options, CancellationToken.None)).Body;
}
