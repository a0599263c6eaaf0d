using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Server.Cluster;
using Wright.Server.Merges;
using Wright.Server.Projects;
using Wright.Server.Accounts;

namespace Wright.Server.Conversations;

internal static class ConversationsEndpoints
{
    /// <summary>Sessions under <c>/api/projects/{id}/sessions</c> and <c>/api/sessions/{id}</c>, answers streamed as SSE.</summary>
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder api)
    {
        var projects = api.MapGroup("/projects/{projectId:guid}").WithTags("Sessions").RequireProjectAccess("projectId");
        projects.MapPost("/sessions", CreateAsync);
        projects.MapGet("/sessions", ListAsync);
        projects.MapPost("/sessions:import", ImportAsync);

        var sessions = api.MapGroup("/sessions/{id:guid}").WithTags("Sessions").RequireSessionAccess();
        sessions.MapGet("", GetAsync);
        sessions.MapPatch("", UpdateAsync);
        sessions.MapDelete("", DeleteAsync);
        sessions.MapPut("/current", SwitchAsync);
        sessions.MapPost("/fork", ForkAsync);
        sessions.MapGet("/usage", UsageAsync);
        sessions.MapGet("/export", ExportAsync);
        sessions.MapPost("/messages", PostMessageAsync);
        sessions.MapPost("/messages/{messageId:guid}/regenerate", RegenerateAsync);
        sessions.MapPost("/messages/{messageId:guid}/stop", StopAsync);
        sessions.MapGet("/messages/{messageId:guid}/stream", StreamAsync);
        return api;
    }

    private static async Task<Created<SessionDto>> CreateAsync(Guid projectId, CreateSessionRequest? request, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var session = await sessions.CreateAsync(http.Actor(), projectId, request?.Title, cancellationToken);
        return TypedResults.Created($"/api/sessions/{session.Id}", SessionDto.From(session));
    }

    private static async Task<Ok<PageDto<SessionDto>>> ListAsync(Guid projectId, int? limit, string? cursor, string? q, bool? includeArchived, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var page = await sessions.ListAsync(http.Actor(), projectId, PageRequest.From(limit, cursor), q, includeArchived ?? false, cancellationToken);
        return TypedResults.Ok(new PageDto<SessionDto>(page.Items.Select(SessionDto.From).ToList(), page.NextCursor));
    }

    private static async Task<Created<SessionDto>> ImportAsync(Guid projectId, SessionExport export, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var session = await sessions.ImportAsync(http.Actor(), projectId, export, cancellationToken);
        return TypedResults.Created($"/api/sessions/{session.Id}", SessionDto.From(session));
    }

    private static async Task<Ok<SessionTreeDto>> GetAsync(Guid id, HttpContext http, SessionService sessions, Wright.Core.Flows.FlowRunner flows, CancellationToken cancellationToken)
    {
        var tree = SessionTreeDto.From(await sessions.GetTreeAsync(http.Actor(), id, cancellationToken));
        var (latest, active) = await flows.SessionStateAsync(id, cancellationToken);
        return TypedResults.Ok(tree with
        {
            LastUsedFlow = latest?.Flow,
            FlowState = active is { State: Wright.Core.Flows.FlowRunStates.Paused } paused ? new Wright.Server.Flows.SessionFlowStateDto(paused.Id, paused.Id, paused.PausedAt, paused.PausedNodeId) : null,
        });
    }

    private static async Task<Ok<SessionDto>> UpdateAsync(Guid id, UpdateSessionRequest request, HttpContext http, SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(SessionDto.From(await sessions.UpdateAsync(http.Actor(), id, request.Title, request.Archived, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.DeleteAsync(http.Actor(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Moves the current leaf and checks out its git branch; <c>commitFirst</c> commits the user's uncommitted edits instead of refusing over them.</summary>
    private static async Task<Ok<SessionTreeDto>> SwitchAsync(Guid id, SwitchLeafRequest request, HttpContext http, ChatBranches branches, CancellationToken cancellationToken) =>
        TypedResults.Ok(SessionTreeDto.From(await branches.SwitchAsync(http.Actor(), id, request.LeafId, request.CommitFirst ?? false, cancellationToken)));

    private static async Task<Created<SessionDto>> ForkAsync(Guid id, ForkRequest request, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var fork = await sessions.ForkAsync(http.Actor(), id, request.MessageId, cancellationToken);
        return TypedResults.Created($"/api/sessions/{fork.Id}", SessionDto.From(fork));
    }

    private static async Task<Ok<SessionUsageDto>> UsageAsync(Guid id, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var totals = await sessions.TotalsAsync(http.Actor(), id, cancellationToken);
        var requests = await sessions.RequestsAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(new SessionUsageDto(totals, requests.Select(AiRequestDto.From).ToList()));
    }

    /// <summary><c>format=json</c>: the whole tree, re-importable; <c>format=markdown</c>: the active path.</summary>
    private static async Task<Results<Ok<SessionExport>, ContentHttpResult>> ExportAsync(Guid id, string? format, HttpContext http, SessionService sessions, CancellationToken cancellationToken)
    {
        var export = await sessions.ExportAsync(http.Actor(), id, cancellationToken);
        switch (format ?? "json")
        {
            case "json":
                return TypedResults.Ok(export);
            case "markdown":
                return TypedResults.Text(Markdown(export), "text/markdown; charset=utf-8", Encoding.UTF8);
            default:
                throw WrightException.Invalid(ErrorCodes.ValidationFailed, "format is 'json' or 'markdown'.");
        }
    }

    private static async Task<MessageStreamResult> PostMessageAsync(Guid id, PostMessageRequest request, HttpContext context, ChatService chat, ChatLimits limits, CancellationToken cancellationToken)
    {
        var lease = await limits.AcquireAsync(context.Actor().UserId.ToString(), cancellationToken);
        try
        {
            var run = await chat.PostAsync(context.Actor(), context.AccessedSession(), context.AccessedProject(), request.Content ?? "", request.ParentId, request.Model, null, request.CommitFirst ?? false, request.AsRoot ?? false, lease, cancellationToken);
            return new MessageStreamResult(run, null, 0);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private static async Task<MessageStreamResult> RegenerateAsync(Guid id, Guid messageId, RegenerateRequest? request, HttpContext context, ChatService chat, ChatLimits limits, CancellationToken cancellationToken)
    {
        var lease = await limits.AcquireAsync(context.Actor().UserId.ToString(), cancellationToken);
        try
        {
            var run = await chat.RegenerateAsync(context.Actor(), id, messageId, request?.Model, lease, cancellationToken);
            return new MessageStreamResult(run, null, 0);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private static async Task<Ok<MessageDto>> StopAsync(Guid id, Guid messageId, HttpContext http, ChatService chat, CancellationToken cancellationToken) =>
        TypedResults.Ok(MessageDto.From(await chat.StopAsync(http.Actor(), id, messageId, cancellationToken)));

    private static async Task<MessageStreamResult> StreamAsync(
        Guid id,
        Guid messageId,
        [FromQuery(Name = "lastEventId")] string? lastEventIdQuery,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        HttpContext http,
        ChatService chat,
        CancellationToken cancellationToken)
    {
        var (run, message) = await chat.AttachAsync(http.Actor(), id, messageId, cancellationToken);
        var after = long.TryParse((lastEventIdHeader ?? lastEventIdQuery)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new MessageStreamResult(run, message, after);
    }


    private static string Markdown(SessionExport export)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(export.Session.Title).Append("\n\n");
        var path = export.Session.CurrentLeafId is { } leaf ? SessionService.PathTo(export.Messages, leaf) ?? [] : [];
        foreach (var message in path)
        {
            text.Append(message.Role == MessageRole.User ? "## You" : $"## Assistant ({message.Model})");
            if (message.Status != MessageStatus.Complete)
            {
                text.Append(" — ").Append(message.Status.ToString().ToLowerInvariant());
            }

            text.Append("\n\n").Append(message.Content.TrimEnd()).Append("\n\n");
            foreach (var call in message.ToolCalls)
            {
                text.Append("Tool call `").Append(call.Name).Append("`:\n\n```json\n").Append(call.Arguments).Append("\n```\n\n");
            }
        }

        return text.ToString();
    }
}

/// <summary>
/// Per-user limits on answers: how many may stream at once and how many prompts a minute. A refusal
/// is <c>429 rate_limited</c> with <c>Retry-After</c>; the concurrency lease lasts as long as the answer.
/// </summary>
internal sealed class ChatLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _concurrent;
    private readonly PartitionedRateLimiter<string> _perMinute;
    private readonly ConversationsOptions _settings;
    private readonly ClusterThrottle? _cluster;

    public ChatLimits(IOptions<ConversationsOptions> options)
        : this(options, null)
    {
    }

    /// <summary>With <paramref name="cluster"/>, the prompts-per-minute limit also holds across the instances sharing the database.</summary>
    public ChatLimits(IOptions<ConversationsOptions> options, ClusterThrottle? cluster)
    {
        var settings = options.Value;
        _settings = settings;
        _cluster = cluster;
        _concurrent = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetConcurrencyLimiter(
            user, _ => new ConcurrencyLimiterOptions { PermitLimit = settings.MaxConcurrentStreamsPerUser, QueueLimit = 0 }));
        _perMinute = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(
            user,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.MaxRequestsPerMinutePerUser,
                TokensPerPeriod = settings.MaxRequestsPerMinutePerUser,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public IDisposable Acquire(string user)
    {
        using (var rate = _perMinute.AttemptAcquire(user))
        {
            if (!rate.IsAcquired)
            {
                var wait = rate.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                throw Refused("You sent too many prompts in the last minute. Wait a moment and try again.", wait);
            }
        }

        var lease = _concurrent.AttemptAcquire(user);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw Refused("Too many of your answers are streaming at once. Wait for one to finish or stop one.", TimeSpan.FromSeconds(1));
        }

        return lease;
    }

    /// <summary>As <see cref="Acquire"/>, then counts the prompt in the per-minute window all instances share.</summary>
    public async Task<IDisposable> AcquireAsync(string user, CancellationToken cancellationToken)
    {
        var lease = Acquire(user);
        try
        {
            if (_cluster is not null)
            {
                await _cluster.HitAsync($"chat:user:{user}", _settings.MaxRequestsPerMinutePerUser, TimeSpan.FromMinutes(1), "You sent too many prompts in the last minute. Wait {0} seconds and try again.", cancellationToken).ConfigureAwait(false);
            }

            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _concurrent.Dispose();
        _perMinute.Dispose();
    }

    private static WrightException Refused(string detail, TimeSpan wait) =>
        new(ErrorKind.RateLimited, ErrorCodes.RateLimited, detail, new Dictionary<string, object?> { ["retryAfterSeconds"] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) });
}

/// <summary>Marks answers a crash left streaming as interrupted at start-up; at shutdown, interrupts and saves the ones still streaming.</summary>
internal sealed class ConversationsLifecycle : IHostedService
{
    private readonly ChatService _chat;
    private readonly IHostApplicationLifetime _lifetime;
    private CancellationTokenRegistration _stopping;

    public ConversationsLifecycle(ChatService chat, IHostApplicationLifetime lifetime)
    {
        _chat = chat;
        _lifetime = lifetime;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _chat.RecoverAsync(cancellationToken).ConfigureAwait(false);

        // Answers end as soon as stopping begins, so their SSE responses finish and the server
        // does not wait its whole shutdown timeout on them.
        _stopping = _lifetime.ApplicationStopping.Register(() => _ = _chat.StopAllAsync(CancellationToken.None));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        await _chat.StopAllAsync(cancellationToken).ConfigureAwait(false);
    }
}
