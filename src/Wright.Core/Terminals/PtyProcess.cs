using System.Runtime.InteropServices;
using System.Text;

namespace Wright.Core.Terminals;

/// <summary>
/// A process whose standard streams and controlling terminal are a fresh PTY. It is started with
/// <c>posix_spawn</c> (a new session, the PTY's slave opened as fd 0 so it becomes the controlling
/// terminal, every signal reset to its default) so the .NET process never forks. Output is pulled
/// with <see cref="ReadAsync"/>: a dedicated thread does the blocking reads one at a time, so a
/// consumer that stops pulling stops the reads, and the program's writes block in the kernel —
/// backpressure that costs the server no memory.
/// </summary>
public sealed class PtyProcess : IAsyncDisposable
{
    private const int ReadBufferBytes = 64 * 1024;
    private const int MinBatchRoomBytes = 4 * 1024;

    private readonly int _master;
    private readonly byte[] _readBuffer = new byte[ReadBufferBytes];
    private readonly SemaphoreSlim _demand = new(0);
    private readonly Lock _writeLock = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<int>? _pendingRead;
    private Action<ReadOnlySpan<byte>>? _sink;
    private int _closed;
    private int _draining;

    private PtyProcess(int master, int pid)
    {
        _master = master;
        Pid = pid;
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = $"pty-{pid}" };
        reader.Start();
    }

    /// <summary>The process id; it leads its own session and process group.</summary>
    public int Pid { get; }

    /// <summary>The exit code (128 + signal when a signal ended it) once the process is gone and its output is read.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Starts <paramref name="file"/> (an absolute path) in a new PTY of the given size.</summary>
    public static PtyProcess Start(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, int cols, int rows)
    {
        var size = new PtyNative.WinSize { Cols = (ushort)cols, Rows = (ushort)rows };
        if (PtyNative.OpenPty(out var master, out var slave, IntPtr.Zero, IntPtr.Zero, ref size) != 0)
        {
            throw new IOException($"openpty failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        var strings = new List<IntPtr>();
        var attributes = Marshal.AllocHGlobal(PtyNative.OpaqueBytes);
        var actions = Marshal.AllocHGlobal(PtyNative.OpaqueBytes);
        var emptySet = Marshal.AllocHGlobal(PtyNative.OpaqueBytes);
        var fullSet = Marshal.AllocHGlobal(PtyNative.OpaqueBytes);
        try
        {
            PtyNative.SetCloseOnExec(master);
            PtyNative.SetCloseOnExec(slave);
            var slavePath = SlavePath(master);

            PtyNative.SpawnAttrInit(attributes);
            PtyNative.SigEmptySet(emptySet);
            PtyNative.SigFillSet(fullSet);
            Check(PtyNative.SpawnAttrSetFlags(attributes, PtyNative.SpawnSetSid | PtyNative.SpawnSetSigMask | PtyNative.SpawnSetSigDef), "setflags");
            Check(PtyNative.SpawnAttrSetSigMask(attributes, emptySet), "setsigmask");

            // .NET ignores SIGPIPE, and an ignored signal survives exec: every signal goes back to
            // its default, or `yes | head` would never end.
            Check(PtyNative.SpawnAttrSetSigDefault(attributes, fullSet), "setsigdefault");

            // glibc applies POSIX_SPAWN_SETSID before the file actions, so opening the slave as
            // fd 0 in the new session makes it the controlling terminal.
            PtyNative.FileActionsInit(actions);
            Check(PtyNative.FileActionsAddOpen(actions, 0, slavePath, PtyNative.OReadWrite, 0), "addopen");
            Check(PtyNative.FileActionsAddDup2(actions, 0, 1), "adddup2");
            Check(PtyNative.FileActionsAddDup2(actions, 0, 2), "adddup2");
            Check(PtyNative.FileActionsAddCloseFrom(actions, 3), "addclosefrom");
            Check(PtyNative.FileActionsAddChdir(actions, workingDirectory), "addchdir");

            var argv = new IntPtr[arguments.Count + 2];
            argv[0] = Utf8(strings, file);
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i + 1] = Utf8(strings, arguments[i]);
            }

            var envp = new IntPtr[environment.Count + 1];
            var n = 0;
            foreach (var (key, value) in environment)
            {
                envp[n++] = Utf8(strings, $"{key}={value}");
            }

            var error = PtyNative.PosixSpawn(out var pid, file, actions, attributes, argv, envp);
            if (error != 0)
            {
                throw new IOException($"posix_spawn of {file} failed with errno {error}.");
            }

            return new PtyProcess(master, pid);
        }
        catch
        {
            PtyNative.Close(master);
            throw;
        }
        finally
        {
            PtyNative.Close(slave);
            PtyNative.FileActionsDestroy(actions);
            PtyNative.SpawnAttrDestroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(emptySet);
            Marshal.FreeHGlobal(fullSet);
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    /// <summary>
    /// Hands all further output to <paramref name="sink"/>, called on the reader thread as it
    /// arrives (no hand-over between threads), instead of waiting for reads: for a consumer that
    /// never stops reading (a ring of recent output). <see cref="Exited"/> completes after the last call.
    /// </summary>
    public void Push(Action<ReadOnlySpan<byte>> sink)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null || Volatile.Read(ref _pendingRead) is not null)
        {
            throw new InvalidOperationException("Output is either pushed or read, once.");
        }

        _demand.Release();
    }

    /// <summary>Reads the next output into <paramref name="buffer"/>; 0 once the PTY is closed (the process and its children are gone).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0 || _exited.Task.IsCompleted)
        {
            return 0;
        }

        var read = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _pendingRead, read, null) is not null)
        {
            throw new InvalidOperationException("One read at a time.");
        }

        _demand.Release();
        var n = await read.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var count = Math.Min(n, buffer.Length);
        _readBuffer.AsSpan(0, count).CopyTo(buffer.Span);
        return count;
    }

    /// <summary>Writes input to the program; blocks a pool thread only while the PTY's input queue is full.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                lock (_writeLock)
                {
                    var span = input.Span;
                    while (!span.IsEmpty && Volatile.Read(ref _closed) == 0)
                    {
                        var n = PtyNative.Write(_master, ref MemoryMarshal.GetReference(span), span.Length);
                        if (n < 0)
                        {
                            var errno = Marshal.GetLastPInvokeError();
                            if (errno is PtyNative.EIntr or PtyNative.EAgain)
                            {
                                continue;
                            }

                            throw new IOException($"Writing to the terminal failed with errno {errno}.");
                        }

                        span = span[(int)n..];
                    }
                }
            },
            cancellationToken);

    /// <summary>Sets the PTY's size; the kernel sends SIGWINCH to its foreground process group.</summary>
    public void Resize(int cols, int rows)
    {
        if (Volatile.Read(ref _closed) == 0)
        {
            PtyNative.SetWindowSize(_master, cols, rows);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the process's whole group (it leads its own session).</summary>
    public void Signal(int signal)
    {
        if (!_exited.Task.IsCompleted)
        {
            PtyNative.Kill(-Pid, signal);
        }
    }

    /// <summary>Hangs up (SIGHUP to the group), then kills what is left after a grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        // Nobody pulls output any more: the reader drains it so the PTY reaches its end and the
        // process is reaped.
        Volatile.Write(ref _draining, 1);
        _demand.Release();
        Signal(PtyNative.SigHup);
        try
        {
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Signal(PtyNative.SigKill);
        }
    }

    private void ReadLoop()
    {
        while (true)
        {
            if (Volatile.Read(ref _draining) == 0 && Volatile.Read(ref _sink) is null)
            {
                _demand.Wait();
            }

            var read = Interlocked.Exchange(ref _pendingRead, null);
            nint n;
            do
            {
                n = PtyNative.Read(_master, ref _readBuffer[0], _readBuffer.Length);
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == PtyNative.EIntr);

            // The kernel hands a PTY's output over in pieces of at most 4 KiB: while more is
            // already waiting, it joins this read, so a flood costs one hand-over per 64 KiB
            // instead of one per 4 KiB. A lone keystroke's echo is handed over at once.
            while (n > 0 && n < _readBuffer.Length - MinBatchRoomBytes && PtyNative.HasInput(_master))
            {
                var more = PtyNative.Read(_master, ref _readBuffer[(int)n], _readBuffer.Length - n);
                if (more <= 0)
                {
                    break;
                }

                n += more;
            }

            if (n <= 0)
            {
                // EIO: every holder of the slave side closed it. The process is gone or going.
                Volatile.Write(ref _closed, 1);
                var code = PtyNative.WaitPid(Pid, out var status, 0) == Pid ? PtyNative.ExitCodeOf(status) : -1;
                PtyNative.Close(_master);
                _exited.TrySetResult(code);
                read?.TrySetResult(0);
                return;
            }

            if (Volatile.Read(ref _sink) is { } sink)
            {
                sink(_readBuffer.AsSpan(0, (int)n));
                continue;
            }

            read?.TrySetResult((int)n);
        }
    }

    private static string SlavePath(int master)
    {
        var buffer = new byte[256];
        if (PtyNative.PtsName(master, buffer, buffer.Length) != 0)
        {
            throw new IOException($"ptsname_r failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return Encoding.UTF8.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0));
    }

    private static IntPtr Utf8(List<IntPtr> owned, string value)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(value);
        owned.Add(pointer);
        return pointer;
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new IOException($"posix_spawn {call} failed with error {result}.");
        }
    }
}
