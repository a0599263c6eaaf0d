using System.Globalization;
using System.Text.RegularExpressions;

namespace Wright.Core.Previews;

/// <summary>
/// Finds TCP ports in LISTEN state from /proc: which ones accept loopback connections, and which
/// belong to the process tree under a terminal's shell (through each process's socket inodes).
/// Linux only; elsewhere nothing is found and users add ports by hand.
/// </summary>
public static partial class LoopbackListeners
{
    private const string ListenState = "0A";

    /// <summary>Listening sockets reachable on 127.0.0.1 (bound to loopback or to every address): inode → port.</summary>
    public static IReadOnlyDictionary<long, int> All()
    {
        var sockets = new Dictionary<long, int>();
        Read("/proc/net/tcp", sockets);
        Read("/proc/net/tcp6", sockets);
        return sockets;
    }

    /// <summary>The listening ports owned by <paramref name="rootPid"/> or any of its descendants.</summary>
    public static IReadOnlySet<int> OfProcessTree(int rootPid, IReadOnlyDictionary<long, int> listening)
    {
        var ports = new HashSet<int>();
        if (listening.Count == 0)
        {
            return ports;
        }

        foreach (var pid in Descendants(rootPid))
        {
            string[] fds;
            try
            {
                fds = Directory.GetFiles($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to inspect.
                continue;
            }

            foreach (var fd in fds)
            {
                var target = ReadLink(fd);
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) &&
                    long.TryParse(target["socket:[".Length..^1], CultureInfo.InvariantCulture, out var inode) &&
                    listening.TryGetValue(inode, out var port))
                {
                    ports.Add(port);
                }
            }
        }

        return ports;
    }

    /// <summary>Loopback URLs in <paramref name="text"/> (what dev servers print: <c>http://localhost:5173/</c>): their ports, last first.</summary>
    public static IReadOnlyList<int> PrintedPorts(string text)
    {
        var ports = new List<int>();
        foreach (Match match in LoopbackUrl().Matches(text))
        {
            if (int.TryParse(match.Groups["port"].Value, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            {
                ports.Remove(port);
                ports.Insert(0, port);
            }
        }

        return ports;
    }

    private static IEnumerable<int> Descendants(int rootPid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Ended between the listing and the read.
                continue;
            }

            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
        }

        var result = new List<int> { rootPid };
        for (var i = 0; i < result.Count; i++)
        {
            if (children.TryGetValue(result[i], out var list))
            {
                result.AddRange(list);
            }
        }

        return result;
    }

    private static void Read(string table, Dictionary<long, int> sockets)
    {
        if (!File.Exists(table))
        {
            return;
        }

        foreach (var line in File.ReadLines(table).Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != ListenState)
            {
                continue;
            }

            var local = fields[1];
            var colon = local.LastIndexOf(':');
            var address = local[..colon];
            if (!ReachableOnLoopback(address) ||
                !int.TryParse(local[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) ||
                !long.TryParse(fields[9], CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            sockets[inode] = port;
        }
    }

    /// <summary>0.0.0.0, 127.x.x.x, ::, ::1 and ::ffff:127.x.x.x as /proc/net/tcp{,6} print them (little-endian words).</summary>
    private static bool ReachableOnLoopback(string hex) => hex switch
    {
        "00000000" => true,
        { Length: 8 } => hex.EndsWith("7F", StringComparison.Ordinal),
        "00000000000000000000000000000000" => true,
        "00000000000000000000000001000000" => true,
        { Length: 32 } => hex.StartsWith("0000000000000000FFFF0000", StringComparison.Ordinal) && hex.EndsWith("7F", StringComparison.Ordinal),
        _ => false,
    };

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The descriptor was closed while we looked.
            return null;
        }
    }

    [GeneratedRegex(@"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]|\[::\]):(?<port>\d{1,5})", RegexOptions.IgnoreCase)]
    private static partial Regex LoopbackUrl();
}
