using System.Diagnostics;
using System.Text;

namespace Wright.Core.Commands;

/// <summary>
/// A program the model started to keep running (a dev server, a watcher): its command line, when
/// it started, its process, the last of its output (stdout and stderr interleaved, a bounded ring)
/// and, once it ended, how. Lives in memory only: it ends with its project or the server.
/// </summary>
public sealed class BackgroundCommand
{
    private readonly StringBuilder _output = new();
    private readonly int _outputChars;
    private readonly Lock _lock = new();
    private long _outputTotal;

    internal BackgroundCommand(Guid id, Guid projectId, string display, bool sandboxed, string? startedBy, DateTimeOffset startedAt, Process process, int outputChars)
    {
        Id = id;
        ProjectId = projectId;
        Command = display;
        Sandboxed = sandboxed;
        StartedBy = startedBy;
        StartedAt = startedAt;
        Process = process;
        Pid = process.Id;
        _outputChars = outputChars;
    }

    public Guid Id { get; }

    public Guid ProjectId { get; }

    /// <summary>The command line as the model gave it (program and arguments).</summary>
    public string Command { get; }

    /// <summary>True when it runs under bubblewrap (the project's sandbox).</summary>
    public bool Sandboxed { get; }

    /// <summary>What started it, for the list (for example the answer's message id).</summary>
    public string? StartedBy { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The process Wright started (bwrap when sandboxed); the dev server is it or one of its descendants.</summary>
    public int Pid { get; }

    /// <summary>Its exit code once it ended; null while running or when it was stopped by a signal before reporting one.</summary>
    public int? ExitCode { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>True when it was stopped (by the user, the model, its project's deletion or the server's stop).</summary>
    public bool Stopped { get; private set; }

    public bool IsRunning => EndedAt is null;

    /// <summary>Characters of output it printed in all, of which the last <c>OutputChars</c> are kept.</summary>
    public long OutputTotal
    {
        get
        {
            lock (_lock)
            {
                return _outputTotal;
            }
        }
    }

    internal Process Process { get; }

    internal TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Signalled whenever output arrives (the start waits on it for its first output).</summary>
    internal SemaphoreSlim OutputArrived { get; } = new(0);

    /// <summary>The kept output: the last characters it printed.</summary>
    public string Output()
    {
        lock (_lock)
        {
            return _output.ToString();
        }
    }

    internal void Append(ReadOnlySpan<char> chunk)
    {
        lock (_lock)
        {
            _outputTotal += chunk.Length;
            if (chunk.Length >= _outputChars)
            {
                _output.Clear();
                _output.Append(chunk[^_outputChars..]);
            }
            else
            {
                _output.Append(chunk);
                if (_output.Length > _outputChars)
                {
                    _output.Remove(0, _output.Length - _outputChars);
                }
            }
        }

        OutputArrived.Release();
    }

    internal void MarkStopped()
    {
        lock (_lock)
        {
            Stopped = true;
        }
    }

    internal void MarkEnded(int? exitCode, DateTimeOffset at)
    {
        lock (_lock)
        {
            ExitCode = Stopped ? null : exitCode;
            EndedAt = at;
        }

        Ended.TrySetResult();
        OutputArrived.Release();
    }
}

/// <summary>Settings of the model's background commands (configuration section <c>Wright:Commands</c>).</summary>
public sealed class BackgroundCommandOptions
{
    public const string Section = "Wright:Commands";

    /// <summary>Background commands a project may have running at once (key <c>Wright:Commands:MaxPerProject</c>).</summary>
    public int MaxPerProject { get; set; } = 4;

    /// <summary>Characters of each command's output kept, the last ones (key <c>Wright:Commands:OutputChars</c>).</summary>
    public int OutputChars { get; set; } = 64 * 1024;

    /// <summary>Ended commands each project keeps listed, the most recent (key <c>Wright:Commands:KeepEnded</c>).</summary>
    public int KeepEnded { get; set; } = 10;

    /// <summary>
    /// How long a start waits for the first signs of life (a printed loopback URL, a listening port,
    /// or its end) before it returns what it has (key <c>Wright:Commands:StartWait</c>).
    /// </summary>
    public TimeSpan StartWait { get; set; } = TimeSpan.FromSeconds(3);
}
