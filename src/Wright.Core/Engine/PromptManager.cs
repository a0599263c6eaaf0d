using System.Globalization;
using System.Text;
using HandlebarsDotNet;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Engine;

/// <summary>The layers of a system prompt as rendered for one request.</summary>
public sealed record PromptLayers(string System, string? UserPrompt, string? ProjectPrompt, string? ProjectPromptSource, string? SessionPrompt);

/// <summary>
/// The Prompt Manager: Wright's built-in system prompt plus three user-editable layers — the
/// user's own prompt (every project), the project's (<c>.wright/prompt.md</c> in the repository,
/// else the stored one), and the session's — each a Handlebars template over the same variables
/// (<c>project.name</c>, <c>model</c>, <c>date</c>, <c>tools</c>…). Stored prompts are versioned:
/// every edit is a new version, any two can be diffed.
/// </summary>
public sealed class PromptManager
{
    /// <summary>The project prompt file; when it exists it wins over the stored project prompt, and travels with the repository.</summary>
    public const string ProjectPromptFile = ".wright/prompt.md";

    /// <summary>Longest template accepted, in characters.</summary>
    public const int MaxTemplateChars = 64 * 1024;

    public const string BuiltInSystemTemplate = """
        You are Wright, a careful software engineer working in the project "{{project.name}}" through its files and tools.
        Today is {{date}}. You are {{model}}.

        How you work:
        - The user's message starts with a <context> block Wright assembled: files, a repository map, git status and what changed since the last prompt. Rely on it, and read more with the tools when you need to.
        {{#if tools}}
        - Change files only with the tools: write_file (new or whole files), edit_file (old_text must match exactly once), delete_file, move_file. Run programs with run_command (a program and its arguments, never a shell line). Start a dev server or another program that keeps running with run_command and background: true (it returns at once with its id and ports; the user previews it) and stop it with stop_command; never wait for one in the foreground.
        - All file changes of your answer are applied together as one commit when you finish; if one change cannot be applied, none is.
        {{else}}
        - Change files with SEARCH/REPLACE blocks: the file's path on its own line, then a fence, then `<<<<<<< SEARCH`, the exact lines to find, `=======`, the new lines, `>>>>>>> REPLACE`, and the closing fence. An empty SEARCH creates the file.
        {{/if}}
        - Keep changes minimal and consistent with the project's style. Say briefly what you changed and why.
        {{#if userPrompt}}

        ## The user's standing instructions
        {{{userPrompt}}}
        {{/if}}
        {{#if projectPrompt}}

        ## This project's instructions
        {{{projectPrompt}}}
        {{/if}}
        {{#if sessionPrompt}}

        ## Instructions for this session
        {{{sessionPrompt}}}
        {{/if}}
        """;

    private static readonly IHandlebars Templates = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true, ThrowOnUnresolvedBindingExpression = false });

    // Compiling is most of rendering and the templates rarely change (the built-in one never),
    // so every prompt reuses the compiled form; edits add entries, so the cache is emptied when full.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, HandlebarsTemplate<object, object>> Compiled = new(StringComparer.Ordinal);
    private const int MaxCompiled = 256;

    private readonly IPromptVersionRepository _repository;
    private readonly TimeProvider _time;

    public PromptManager(IPromptVersionRepository repository, TimeProvider time)
    {
        _repository = repository;
        _time = time;
    }

    /// <summary>Renders the system prompt of a request in <paramref name="sessionId"/> of <paramref name="project"/> for <paramref name="userId"/>.</summary>
    public async Task<PromptLayers> RenderAsync(Project project, Guid sessionId, Guid? userId, string model, bool tools, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, object?>
        {
            ["project"] = new Dictionary<string, object?> { ["name"] = project.Name, ["id"] = project.Id.ToString() },
            ["model"] = model,
            ["date"] = _time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["tools"] = tools,
        };
        // The three stored layers in one query; the project's file, when it has one, wins over its stored prompt.
        var keys = new List<(string, string)> { (PromptScopes.Project, project.Id.ToString()), (PromptScopes.Session, sessionId.ToString()) };
        if (userId is { } id)
        {
            keys.Add((PromptScopes.User, id.ToString()));
        }

        var stored = await _repository.LatestPromptVersionsAsync(keys, cancellationToken).ConfigureAwait(false);
        string? Latest(string scope, string? key) =>
            key is not null && stored.TryGetValue((scope, key), out var version) && version.Content.Trim().Length > 0 ? version.Content : null;
        var user = Latest(PromptScopes.User, userId?.ToString());
        var (projectPrompt, source) = await ProjectPromptAsync(project, Latest(PromptScopes.Project, project.Id.ToString()), cancellationToken).ConfigureAwait(false);
        var session = Latest(PromptScopes.Session, sessionId.ToString());

        var userText = Render(user, variables, "your prompt");
        var projectText = Render(projectPrompt, variables, source ?? "the project prompt");
        var sessionText = Render(session, variables, "the session prompt");
        variables["userPrompt"] = userText;
        variables["projectPrompt"] = projectText;
        variables["sessionPrompt"] = sessionText;
        var system = Render(BuiltInSystemTemplate, variables, "the built-in system prompt")!;
        return new PromptLayers(Collapse(system), userText, projectText, projectPrompt is null ? null : source, sessionText);
    }

    /// <summary>Saves a new version of a stored prompt after checking that it renders.</summary>
    public async Task<PromptVersion> SaveAsync(string scope, string scopeKey, string content, Guid? authorId, CancellationToken cancellationToken)
    {
        if (content.Length > MaxTemplateChars)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"A prompt is at most {MaxTemplateChars} characters.");
        }

        Render(content, new Dictionary<string, object?>(), "the prompt");
        return await _repository.AddPromptVersionAsync(scope, scopeKey, content, authorId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<PromptVersion>> VersionsAsync(string scope, string scopeKey, CancellationToken cancellationToken) =>
        _repository.ListPromptVersionsAsync(scope, scopeKey, cancellationToken);

    /// <summary>A unified diff from version <paramref name="from"/> to <paramref name="to"/> of a stored prompt.</summary>
    public async Task<string> DiffAsync(string scope, string scopeKey, int from, int to, CancellationToken cancellationToken)
    {
        var versions = await _repository.ListPromptVersionsAsync(scope, scopeKey, cancellationToken).ConfigureAwait(false);
        var a = versions.FirstOrDefault(v => v.Version == from) ?? throw WrightException.NotFound(ErrorCodes.NotFound, $"There is no version {from} of this prompt.");
        var b = versions.FirstOrDefault(v => v.Version == to) ?? throw WrightException.NotFound(ErrorCodes.NotFound, $"There is no version {to} of this prompt.");
        return Diff(a.Content, b.Content, $"v{from}", $"v{to}");
    }

    /// <summary>A plain unified diff of two texts (one hunk over the changed region, 3 lines of context).</summary>
    internal static string Diff(string before, string after, string fromName, string toName)
    {
        var a = TextLines.Split(before);
        var b = TextLines.Split(after);
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
        {
            suffix++;
        }

        var text = new StringBuilder($"--- {fromName}\n+++ {toName}\n");
        if (prefix == a.Count && prefix == b.Count)
        {
            return text.ToString();
        }

        var start = Math.Max(0, prefix - 3);
        var endA = Math.Min(a.Count, a.Count - suffix + 3);
        var endB = Math.Min(b.Count, b.Count - suffix + 3);
        text.Append(CultureInfo.InvariantCulture, $"@@ -{start + 1},{endA - start} +{start + 1},{endB - start} @@\n");
        for (var i = start; i < prefix; i++)
        {
            text.Append(' ').Append(a[i]).Append('\n');
        }

        for (var i = prefix; i < a.Count - suffix; i++)
        {
            text.Append('-').Append(a[i]).Append('\n');
        }

        for (var i = prefix; i < b.Count - suffix; i++)
        {
            text.Append('+').Append(b[i]).Append('\n');
        }

        for (var i = a.Count - suffix; i < endA; i++)
        {
            text.Append(' ').Append(a[i]).Append('\n');
        }

        return text.ToString();
    }

    private static async Task<(string? Text, string? Source)> ProjectPromptAsync(Project project, string? stored, CancellationToken cancellationToken)
    {
        try
        {
            var jailed = PathJail.Resolve(project.RootPath, ProjectPromptFile);
            if (File.Exists(jailed.RealPath))
            {
                var text = await File.ReadAllTextAsync(jailed.RealPath, cancellationToken).ConfigureAwait(false);
                return (text.Length > MaxTemplateChars ? text[..MaxTemplateChars] : text, ProjectPromptFile);
            }
        }
        catch (WrightException)
        {
            // A project prompt path the jail refuses (a symlink out of the project) is treated as absent.
        }

        return (stored, "stored");
    }

    private static string? Render(string? template, Dictionary<string, object?> variables, string what)
    {
        if (template is null)
        {
            return null;
        }

        try
        {
            if (!Compiled.TryGetValue(template, out var compiled))
            {
                if (Compiled.Count >= MaxCompiled)
                {
                    Compiled.Clear();
                }

                compiled = Compiled.GetOrAdd(template, Templates.Compile);
            }

            return compiled(variables).Trim();
        }
        catch (HandlebarsException ex)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"{what} is not a valid Handlebars template: {ex.Message}");
        }
    }

    /// <summary>Drops the blank lines Handlebars leaves where a block was skipped, keeping paragraph breaks single.</summary>
    private static string Collapse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        var result = new StringBuilder();
        var blank = false;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                blank = true;
                continue;
            }

            if (blank && result.Length > 0)
            {
                result.Append('\n');
            }

            blank = false;
            result.Append(line).Append('\n');
        }

        return result.ToString().TrimEnd('\n');
    }
}
