using System.Text;
using System.Text.Json.Nodes;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Flows;

/// <summary>A template as found: where it lives, its text and format, its graph (null when unreadable) and its problems.</summary>
public sealed record FlowTemplate(string Name, string Source, string Format, string Text, FlowGraph? Graph, IReadOnlyList<FlowProblem> Problems)
{
    public bool Valid => Graph is not null && Problems.Count == 0;

    public string? Description => Graph?.Description;
}

/// <summary>
/// The templates a project's users can run: the built-in <c>default</c> (the chat: user input → an
/// answer with tools → user input), the project's own in <c>.wright/flows/*.yaml</c> (versioned
/// with it; read and written through the path jail) and each user's own, kept in the database.
/// A name is looked up in that order.
/// </summary>
public sealed class FlowTemplates
{
    public const string DefaultName = "default";
    public const string Directory = ".wright/flows";

    private readonly ProjectService _projects;
    private readonly IFlowRepository _repository;
    private readonly TimeProvider _time;

    public FlowTemplates(ProjectService projects, IFlowRepository repository, TimeProvider time)
    {
        _projects = projects;
        _repository = repository;
        _time = time;
    }

    /// <summary>The chat as a flow.</summary>
    public static FlowGraph Default { get; } = new()
    {
        Name = DefaultName,
        Description = "The chat: your message, an answer with tools, your next message.",
        Start = "ask",
        Nodes =
        [
            new FlowNode { Id = "ask", Type = FlowNodeTypes.UserInput, Prompt = "Message", Output = "request" },
            new FlowNode { Id = "answer", Type = FlowNodeTypes.Llm, Prompt = "{{request}}", Tools = true, Output = "answer" },
        ],
        Edges = [new FlowEdge { From = "ask", To = "answer" }, new FlowEdge { From = "answer", To = "ask" }],
    };

    public async Task<IReadOnlyList<FlowTemplate>> ListAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        var project = await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        var found = new List<FlowTemplate> { Builtin() };
        var directory = PathJail.Resolve(project.RootPath, Directory);
        if (System.IO.Directory.Exists(directory.RealPath))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory.RealPath).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var format = FormatOf(file);
                if (format is null || !FlowValidator.IsValidName(name) || found.Any(t => t.Name == name))
                {
                    continue;
                }

                if (await ReadProjectAsync(project, name, cancellationToken).ConfigureAwait(false) is { } template)
                {
                    found.Add(template);
                }
            }
        }

        foreach (var stored in await _repository.ListTemplatesAsync(actor.UserId, cancellationToken).ConfigureAwait(false))
        {
            if (found.All(t => t.Name != stored.Name))
            {
                found.Add(Read(stored.Name, FlowSources.User, stored.Format, stored.Text));
            }
        }

        return found;
    }

    /// <summary>The template called <paramref name="name"/>; <c>flow_not_found</c> when there is none.</summary>
    public async Task<FlowTemplate> GetAsync(Actor actor, Guid projectId, string name, CancellationToken cancellationToken)
    {
        var project = await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        return await FindAsync(actor.UserId, project, name, cancellationToken).ConfigureAwait(false) ?? throw NotFound(name);
    }

    /// <summary>As <see cref="GetAsync"/> for a project already checked (a run starting or resuming).</summary>
    public async Task<FlowTemplate?> FindAsync(Guid userId, Project project, string name, CancellationToken cancellationToken)
    {
        if (name == DefaultName)
        {
            return Builtin();
        }

        if (!FlowValidator.IsValidName(name))
        {
            return null;
        }

        if (await ReadProjectAsync(project, name, cancellationToken).ConfigureAwait(false) is { } template)
        {
            return template;
        }

        return await _repository.GetTemplateAsync(userId, name, cancellationToken).ConfigureAwait(false) is { } stored
            ? Read(stored.Name, FlowSources.User, stored.Format, stored.Text)
            : null;
    }

    /// <summary>
    /// Saves a template in the project (<c>.wright/flows/{name}.yaml</c>) or, with <paramref name="userScope"/>,
    /// with the user. An invalid template is refused with <c>flow_invalid</c> and its problems.
    /// </summary>
    public async Task<FlowTemplate> SaveAsync(Actor actor, Guid projectId, string name, FlowTemplateInput input, bool userScope, CancellationToken cancellationToken)
    {
        if (name == DefaultName)
        {
            throw WrightException.Conflict(FlowErrorCodes.FlowBuiltinReadonly, "The default flow is built in and cannot be changed; save a copy under another name.");
        }

        RequireName(name);
        var project = userScope
            ? await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false)
            : await _projects.GetWritableAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        var (graph, format, text) = Resolve(input, name);
        var problems = FlowValidator.Validate(graph);
        if (problems.Count > 0)
        {
            throw Invalid(problems);
        }

        if (userScope)
        {
            await _repository.SaveTemplateAsync(new StoredFlowTemplate(actor.UserId, name, format, text, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return Read(name, FlowSources.User, format, text);
        }

        // A project template is always YAML; JSON input is written out as YAML.
        if (format != FlowFormats.Yaml)
        {
            (format, text) = (FlowFormats.Yaml, FlowTemplateText.ToYaml(graph));
        }

        var target = PathJail.Resolve(project.RootPath, $"{Directory}/{name}.yaml");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target.EntryPath)!);
        AtomicFile.Write(project.RootPath, target.EntryPath, Encoding.UTF8.GetBytes(text));
        foreach (var other in new[] { ".yml", ".json" })
        {
            var stale = PathJail.Resolve(project.RootPath, $"{Directory}/{name}{other}");
            File.Delete(stale.EntryPath);
        }

        return Read(name, FlowSources.Project, format, text);
    }

    /// <summary>Deletes the project's template of that name, else the user's; <c>flow_not_found</c> when neither exists.</summary>
    public async Task DeleteAsync(Actor actor, Guid projectId, string name, bool userScope, CancellationToken cancellationToken)
    {
        if (name == DefaultName)
        {
            throw WrightException.Conflict(FlowErrorCodes.FlowBuiltinReadonly, "The default flow is built in and cannot be deleted.");
        }

        RequireName(name);
        if (!userScope)
        {
            var project = await _projects.GetWritableAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
            var deleted = false;
            foreach (var extension in new[] { ".yaml", ".yml", ".json" })
            {
                var file = PathJail.Resolve(project.RootPath, $"{Directory}/{name}{extension}");
                if (File.Exists(file.EntryPath))
                {
                    File.Delete(file.EntryPath);
                    deleted = true;
                }
            }

            if (deleted)
            {
                return;
            }
        }
        else
        {
            await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        }

        if (!await _repository.DeleteTemplateAsync(actor.UserId, name, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(name);
        }
    }

    /// <summary>Checks a template without saving it.</summary>
    public static (FlowGraph? Graph, IReadOnlyList<FlowProblem> Problems) Check(FlowTemplateInput input)
    {
        var (graph, problem) = Parse(input);
        return graph is null ? (null, [problem!]) : (graph, FlowValidator.Validate(graph));
    }

    public static WrightException Invalid(IReadOnlyList<FlowProblem> problems) =>
        new(ErrorKind.Invalid, FlowErrorCodes.FlowInvalid, $"The template has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}: {problems[0].Message}", new Dictionary<string, object?> { ["problems"] = problems });

    public static WrightException NotFound(string name) => WrightException.NotFound(FlowErrorCodes.FlowNotFound, $"There is no flow called '{name}'.");

    private static FlowTemplate Builtin() => new(DefaultName, FlowSources.Builtin, FlowFormats.Yaml, FlowTemplateText.ToYaml(Default), Default, []);

    private static (FlowGraph Graph, string Format, string Text) Resolve(FlowTemplateInput input, string name)
    {
        var (graph, problem) = Parse(input);
        if (graph is null)
        {
            throw Invalid([problem!]);
        }

        var named = graph with { Name = name };
        if (input.Text is { } text && input.Graph is null && graph.Name == name)
        {
            return (named, input.Format ?? FlowFormats.Yaml, text);
        }

        return (named, FlowFormats.Yaml, FlowTemplateText.ToYaml(named));
    }

    private static (FlowGraph? Graph, FlowProblem? Problem) Parse(FlowTemplateInput input)
    {
        if (input.Graph is not null)
        {
            return FlowTemplateText.FromTree(input.Graph);
        }

        if (input.Text is null)
        {
            return (null, new FlowProblem(FlowErrorCodes.MissingField, "Send the template as graph, or as text with its format."));
        }

        var format = input.Format ?? FlowFormats.Yaml;
        if (format is not (FlowFormats.Yaml or FlowFormats.Json))
        {
            return (null, new FlowProblem(FlowErrorCodes.MissingField, "format is 'yaml' or 'json'."));
        }

        return FlowTemplateText.Parse(input.Text, format);
    }

    private static FlowTemplate Read(string name, string source, string format, string text)
    {
        var (graph, problem) = FlowTemplateText.Parse(text, format);
        if (graph is null)
        {
            return new FlowTemplate(name, source, format, text, null, [problem!]);
        }

        graph = graph with { Name = name };
        return new FlowTemplate(name, source, format, text, graph, FlowValidator.Validate(graph));
    }

    private static async Task<FlowTemplate?> ReadProjectAsync(Project project, string name, CancellationToken cancellationToken)
    {
        foreach (var extension in new[] { ".yaml", ".yml", ".json" })
        {
            var file = PathJail.Resolve(project.RootPath, $"{Directory}/{name}{extension}");
            if (!File.Exists(file.RealPath))
            {
                continue;
            }

            var info = new FileInfo(file.RealPath);
            if (info.Length > FlowTemplateText.MaxChars)
            {
                return new FlowTemplate(name, FlowSources.Project, FormatOf(file.RealPath)!, "", null, [new FlowProblem(FlowErrorCodes.InvalidYaml, $"The template file is larger than {FlowTemplateText.MaxChars} bytes.")]);
            }

            var text = await File.ReadAllTextAsync(file.RealPath, cancellationToken).ConfigureAwait(false);
            return Read(name, FlowSources.Project, FormatOf(file.RealPath)!, text);
        }

        return null;
    }

    private static string? FormatOf(string file) => Path.GetExtension(file) switch
    {
        ".yaml" or ".yml" => FlowFormats.Yaml,
        ".json" => FlowFormats.Json,
        _ => null,
    };

    private static void RequireName(string name)
    {
        if (!FlowValidator.IsValidName(name))
        {
            throw WrightException.Invalid(FlowErrorCodes.FlowNameInvalid, "A flow name is 1–64 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }
    }
}

/// <summary>A template as a client sends it: a graph, or text with its format.</summary>
public sealed record FlowTemplateInput(JsonNode? Graph, string? Text, string? Format);
