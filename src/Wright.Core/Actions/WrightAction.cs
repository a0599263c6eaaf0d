using System.Text.Json.Nodes;
using Wright.Core.Actions.EditFormats;

namespace Wright.Core.Actions;

/// <summary>The action types of the seed's Actions Manager.</summary>
public static class ActionTypes
{
    public const string FileChange = "FILE_CHANGE";
    public const string Command = "COMMAND";
    public const string Config = "CONFIG";
    public const string Scaffold = "SCAFFOLD";
}

/// <summary>One thing a model's answer asks Wright to do; an ActionRun applies a list of them as one transaction.</summary>
public abstract record WrightAction(string Type);

/// <summary>A change to one file, as the native file tools express it.</summary>
public abstract record FileChange(string Path);

/// <summary>Create or replace a file with <see cref="Content"/>.</summary>
public sealed record WriteFile(string Path, string Content) : FileChange(Path);

/// <summary>Replace the one occurrence of <see cref="OldText"/> by <see cref="NewText"/>; fails when it occurs zero or several times.</summary>
public sealed record EditFile(string Path, string OldText, string NewText) : FileChange(Path);

public sealed record DeleteFile(string Path) : FileChange(Path);

/// <summary>Move a file; fails when <see cref="Destination"/> exists.</summary>
public sealed record MoveFile(string Path, string Destination) : FileChange(Path);

/// <summary>File changes from tool calls (write_file, edit_file, delete_file, move_file).</summary>
public sealed record FileChangeAction(IReadOnlyList<FileChange> Changes) : WrightAction(ActionTypes.FileChange);

/// <summary>File changes written in the answer's text in one of the edit formats.</summary>
public sealed record TextEditAction(EditFormat Format, string Response, EditOptions Options) : WrightAction(ActionTypes.FileChange);

/// <summary>
/// A program to run with the project as working directory: an executable and its arguments,
/// never a shell string. <see cref="RequireSuccess"/> makes a non-zero exit fail the run.
/// </summary>
public sealed record CommandAction(string Executable, IReadOnlyList<string> Arguments, TimeSpan? Timeout = null, bool RequireSuccess = true) : WrightAction(ActionTypes.Command)
{
    public string Display => string.Join(' ', new[] { Executable }.Concat(Arguments).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
}

/// <summary>Settings to change in <c>.wright/config</c>; a null value removes the setting.</summary>
public sealed record ConfigAction(IReadOnlyDictionary<string, JsonNode?> Settings) : WrightAction(ActionTypes.Config);

/// <summary>A new project skeleton from a built-in template, chosen by name or from the description, under <see cref="Directory"/> ("" for the project root).</summary>
public sealed record ScaffoldAction(string Name, string Description, string? Template = null, string Directory = "") : WrightAction(ActionTypes.Scaffold);
