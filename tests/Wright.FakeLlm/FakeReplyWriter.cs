using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Wright.FakeLlm;

/// <summary>Renders one <see cref="FakeReply"/> in the wire format of the request it answers.</summary>
internal sealed class FakeReplyWriter
{
    private readonly HttpContext _context;
    private readonly FakeRequest _request;
    private readonly FakeReply _reply;
    private readonly bool _anthropic;
    private readonly bool _stream;
    private readonly bool _includeUsage;

    public FakeReplyWriter(HttpContext context, FakeRequest request, FakeReply reply)
    {
        _context = context;
        _request = request;
        _reply = reply;
        _anthropic = request.IsAnthropic;
        JsonNode? json = null;
        try
        {
            json = JsonNode.Parse(request.Body);
        }
        catch (JsonException)
        {
            // Not JSON: answered as a non-streaming request; tests look at the recorded body.
        }

        _stream = json?["stream"]?.GetValue<bool>() == true;
        _includeUsage = json?["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
    }

    private CancellationToken Aborted => _context.RequestAborted;

    public async Task WriteAsync()
    {
        if (_reply.StallBeforeHeaders)
        {
            await Task.Delay(Timeout.Infinite, Aborted).ConfigureAwait(false);
        }

        var response = _context.Response;
        foreach (var (name, value) in _reply.Headers)
        {
            response.Headers[name] = value;
        }

        if (_reply.Status != 200)
        {
            response.StatusCode = _reply.Status;
            response.ContentType = "application/json";
            await response.WriteAsync(ErrorBody(), Aborted).ConfigureAwait(false);
            return;
        }

        if (_reply.Replay is { } bytes)
        {
            await ReplayAsync(bytes).ConfigureAwait(false);
            return;
        }

        if (!_stream)
        {
            response.ContentType = "application/json";
            await response.WriteAsync(_anthropic ? AnthropicMessage() : OpenAiCompletion(), Aborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(Aborted).ConfigureAwait(false);
        if (_anthropic)
        {
            await AnthropicStreamAsync().ConfigureAwait(false);
        }
        else
        {
            await OpenAiStreamAsync().ConfigureAwait(false);
        }
    }

    private async Task ReplayAsync(byte[] bytes)
    {
        var response = _context.Response;
        response.ContentType = _reply.ReplayContentType;
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var count = _reply.ReplayBytesBeforeEnding is { } before ? Math.Min(before, bytes.Length) : bytes.Length;
        await response.Body.WriteAsync(bytes.AsMemory(0, count), Aborted).ConfigureAwait(false);
        await response.Body.FlushAsync(Aborted).ConfigureAwait(false);
        if (_reply.ReplayBytesBeforeEnding is not null)
        {
            await EndAbnormallyAsync().ConfigureAwait(false);
        }
    }

    private async Task EndAbnormallyAsync()
    {
        switch (_reply.Ending)
        {
            case FakeEnding.Stall:
                await Task.Delay(Timeout.Infinite, Aborted).ConfigureAwait(false);
                break;
            case FakeEnding.Drop:
                FakeLlmServer.Abort(_context);
                break;
            case FakeEnding.ErrorEvent:
                if (_anthropic)
                {
                    await EventAsync("error", new JsonObject { ["type"] = "error", ["error"] = ErrorObject() }).ConfigureAwait(false);
                }
                else
                {
                    // As OpenAI-compatible servers do: an error chunk, then the stream simply ends
                    // (no finish reason, no [DONE]).
                    await DataAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = _reply.ErrorMessage, ["type"] = "server_error", ["code"] = null } }).ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task OpenAiStreamAsync()
    {
        await DataAsync(OpenAiChunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)).ConfigureAwait(false);
        for (var i = 0; i < _reply.TotalChunks; i++)
        {
            await DelayAsync().ConfigureAwait(false);
            await DataAsync(OpenAiChunk(new JsonObject { ["content"] = _reply.ChunkAt(i) }, null)).ConfigureAwait(false);
        }

        if (_reply.Ending != FakeEnding.Complete)
        {
            await EndAbnormallyAsync().ConfigureAwait(false);
            return;
        }

        for (var t = 0; t < _reply.ToolCalls.Count; t++)
        {
            var call = _reply.ToolCalls[t];
            await DataAsync(OpenAiChunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = t,
                    ["id"] = call.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = "" },
                }),
            }, null)).ConfigureAwait(false);
            foreach (var piece in Pieces(call.ArgumentsJson))
            {
                await DataAsync(OpenAiChunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = t, ["function"] = new JsonObject { ["arguments"] = piece } }),
                }, null)).ConfigureAwait(false);
            }
        }

        await DataAsync(OpenAiChunk(new JsonObject(), _reply.ToolCalls.Count > 0 ? "tool_calls" : "stop")).ConfigureAwait(false);
        if (_includeUsage)
        {
            var usage = OpenAiChunk(null, null);
            usage["choices"] = new JsonArray();
            usage["usage"] = OpenAiUsage();
            await DataAsync(usage).ConfigureAwait(false);
        }

        await WriteRawAsync("data: [DONE]\n\n").ConfigureAwait(false);
    }

    private async Task AnthropicStreamAsync()
    {
        var usage = _reply.Usage;
        await EventAsync("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = $"msg_fake_{_request.Number}",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = _reply.Model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = usage.InputTokens,
                    ["cache_creation_input_tokens"] = usage.CacheWriteTokens,
                    ["cache_read_input_tokens"] = usage.CacheReadTokens,
                    ["output_tokens"] = 1,
                },
            },
        }).ConfigureAwait(false);
        var index = 0;
        if (_reply.TotalChunks > 0 || _reply.ToolCalls.Count == 0)
        {
            await EventAsync("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }).ConfigureAwait(false);
            for (var i = 0; i < _reply.TotalChunks; i++)
            {
                await DelayAsync().ConfigureAwait(false);
                await EventAsync("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta",
                    ["index"] = 0,
                    ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = _reply.ChunkAt(i) },
                }).ConfigureAwait(false);
            }

            if (_reply.Ending != FakeEnding.Complete)
            {
                await EndAbnormallyAsync().ConfigureAwait(false);
                return;
            }

            await EventAsync("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }).ConfigureAwait(false);
            index = 1;
        }

        foreach (var call in _reply.ToolCalls)
        {
            await EventAsync("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = index,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = new JsonObject() },
            }).ConfigureAwait(false);
            foreach (var piece in Pieces(call.ArgumentsJson))
            {
                await EventAsync("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta",
                    ["index"] = index,
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece },
                }).ConfigureAwait(false);
            }

            await EventAsync("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }).ConfigureAwait(false);
            index++;
        }

        await EventAsync("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = _reply.ToolCalls.Count > 0 ? "tool_use" : "end_turn", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = usage.OutputTokens },
        }).ConfigureAwait(false);
        await EventAsync("message_stop", new JsonObject { ["type"] = "message_stop" }).ConfigureAwait(false);
    }

    private string OpenAiCompletion()
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = AllText() };
        if (_reply.ToolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray(_reply.ToolCalls.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            }).ToArray());
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_727_346_168,
            ["model"] = _reply.Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = _reply.ToolCalls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = OpenAiUsage(),
        }.ToJsonString();
    }

    private string AnthropicMessage()
    {
        var content = new JsonArray();
        if (_reply.TotalChunks > 0)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = AllText() });
        }

        foreach (var call in _reply.ToolCalls)
        {
            content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.ArgumentsJson) });
        }

        var usage = _reply.Usage;
        return new JsonObject
        {
            ["id"] = $"msg_fake_{_request.Number}",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = _reply.Model,
            ["content"] = content,
            ["stop_reason"] = _reply.ToolCalls.Count > 0 ? "tool_use" : "end_turn",
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = usage.InputTokens,
                ["cache_creation_input_tokens"] = usage.CacheWriteTokens,
                ["cache_read_input_tokens"] = usage.CacheReadTokens,
                ["output_tokens"] = usage.OutputTokens,
            },
        }.ToJsonString();
    }

    private string ErrorBody() => _anthropic
        ? new JsonObject { ["type"] = "error", ["error"] = ErrorObject() }.ToJsonString()
        : new JsonObject { ["error"] = new JsonObject { ["message"] = _reply.ErrorMessage, ["type"] = _reply.ErrorType, ["param"] = null, ["code"] = null } }.ToJsonString();

    private JsonObject ErrorObject() => new() { ["type"] = _reply.ErrorType, ["message"] = _reply.ErrorMessage };

    private JsonObject OpenAiUsage()
    {
        var usage = _reply.Usage;

        // OpenAI counts cached tokens inside prompt_tokens.
        return new JsonObject
        {
            ["prompt_tokens"] = usage.InputTokens + usage.CacheReadTokens,
            ["completion_tokens"] = usage.OutputTokens,
            ["total_tokens"] = usage.InputTokens + usage.CacheReadTokens + usage.OutputTokens,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CacheReadTokens },
        };
    }

    private JsonObject OpenAiChunk(JsonObject? delta, string? finishReason)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_727_346_168,
            ["model"] = _reply.Model,
        };
        if (delta is not null)
        {
            chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason });
        }

        return chunk;
    }

    private string AllText()
    {
        var text = new StringBuilder();
        for (var i = 0; i < _reply.TotalChunks; i++)
        {
            text.Append(_reply.ChunkAt(i));
        }

        return text.ToString();
    }

    private static IEnumerable<string> Pieces(string json)
    {
        const int Size = 7;
        for (var i = 0; i < json.Length; i += Size)
        {
            yield return json.Substring(i, Math.Min(Size, json.Length - i));
        }
    }

    private Task DelayAsync() => _reply.ChunkDelay > TimeSpan.Zero ? Task.Delay(_reply.ChunkDelay, Aborted) : Task.CompletedTask;

    private Task DataAsync(JsonObject data) => WriteRawAsync("data: " + data.ToJsonString() + "\n\n");

    private Task EventAsync(string type, JsonObject data) => WriteRawAsync("event: " + type + "\ndata: " + data.ToJsonString() + "\n\n");

    private async Task WriteRawAsync(string text)
    {
        await _context.Response.WriteAsync(text, Aborted).ConfigureAwait(false);
        await _context.Response.Body.FlushAsync(Aborted).ConfigureAwait(false);
    }
}
