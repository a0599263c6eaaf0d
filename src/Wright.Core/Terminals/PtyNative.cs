using System.Runtime.InteropServices;

namespace Wright.Core.Terminals;

/// <summary>
/// The libc calls behind <see cref="PtyProcess"/> (glibc ≥ 2.34: openpty lives in libc itself).
/// DllImport rather than LibraryImport: the generated stubs would need unsafe code in Core.
/// </summary>
internal static class PtyNative
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int OReadWrite = 2;
    public const int ONoCtty = 0x100;

    public const short SpawnSetSigDef = 0x04;
    public const short SpawnSetSigMask = 0x08;
    public const short SpawnSetSid = 0x80;

    private const int FSetFd = 2;
    private const int FdCloExec = 1;
    private const ulong TiocSWinSz = 0x5414;

    // glibc's opaque types are smaller than these (posix_spawnattr_t 336, file actions 80,
    // sigset_t 128 bytes on x86-64 and arm64); over-allocating costs nothing and survives growth.
    public const int OpaqueBytes = 1024;

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short PollIn = 0x001;

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(ref PollFd fd, nuint count, int timeoutMs);

    /// <summary>True when a read of <paramref name="fd"/> would return data at once.</summary>
    public static bool HasInput(int fd)
    {
        var poll = new PollFd { Fd = fd, Events = PollIn };
        return Poll(ref poll, 1, 0) == 1 && (poll.Revents & PollIn) != 0;
    }

    [DllImport("libc", EntryPoint = "openpty", SetLastError = true)]
    public static extern int OpenPty(out int master, out int slave, IntPtr name, IntPtr termios, ref WinSize size);

    [DllImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    public static extern int PtsName(int fd, byte[] buffer, nint length);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int IoctlWinSize(int fd, ulong request, ref WinSize size);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, ref byte buffer, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, ref byte buffer, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static extern int WaitPid(int pid, out int status, int options);

    [DllImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    public static extern int PosixSpawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [DllImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static extern int SpawnAttrInit(IntPtr attributes);

    [DllImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static extern int SpawnAttrDestroy(IntPtr attributes);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static extern int SpawnAttrSetFlags(IntPtr attributes, short flags);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static extern int SpawnAttrSetSigMask(IntPtr attributes, IntPtr mask);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static extern int SpawnAttrSetSigDefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static extern int FileActionsInit(IntPtr actions);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static extern int FileActionsDestroy(IntPtr actions);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    public static extern int FileActionsAddOpen(IntPtr actions, int fd, string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static extern int FileActionsAddDup2(IntPtr actions, int fd, int newFd);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static extern int FileActionsAddChdir(IntPtr actions, string path);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    public static extern int FileActionsAddCloseFrom(IntPtr actions, int fromFd);

    [DllImport("libc", EntryPoint = "sigemptyset")]
    public static extern int SigEmptySet(IntPtr set);

    [DllImport("libc", EntryPoint = "sigfillset")]
    public static extern int SigFillSet(IntPtr set);

    public static void SetCloseOnExec(int fd)
    {
        if (Fcntl(fd, FSetFd, FdCloExec) != 0)
        {
            throw new IOException($"fcntl(FD_CLOEXEC) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public static int SetWindowSize(int fd, int cols, int rows)
    {
        var size = new WinSize { Cols = (ushort)cols, Rows = (ushort)rows };
        return IoctlWinSize(fd, TiocSWinSz, ref size);
    }

    /// <summary>The exit code a shell would report: the code itself, or 128 + the signal that ended it.</summary>
    public static int ExitCodeOf(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
