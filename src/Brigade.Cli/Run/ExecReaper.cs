using System.Globalization;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Kills the commands <c>brigade run --exec</c> left running when brigade itself dies without cleaning up (SIGKILL,
/// a crash), so that a resumed run never races with an orphan of the interrupted one. Linux only.
/// </summary>
/// <remarks>
/// <para>One small shell process per brigade process, started with the first command. Brigade keeps the list of its
/// running commands in a shared memory file (a <c>memfd</c>) the reaper also holds, one fixed-width line per slot:
/// listing a command is a few stores to memory, not a message. The reaper only waits for the end of a pipe from brigade
/// (the kernel closes it when brigade dies, however it dies), then reads the list and stops and kills each command
/// still on it: its whole process group (background children such as <c>sleep 60 &amp;</c> included, even after the
/// command's own process exited) and every process below it (found through <c>/proc/*/stat</c>, no procps needed).
/// When brigade exits normally its commands are done, the list is empty, and the reaper exits without killing
/// anything. It ignores SIGINT, SIGHUP and SIGTERM, which a terminal (Ctrl+C, a closed terminal) or a supervisor
/// (systemd, <c>timeout</c>, a CI runner) sends to the whole group: brigade handles them itself (it kills its commands'
/// groups), and the reaper must outlive it in case brigade then dies before it is done (SIGKILL after a grace
/// period). Only brigade's end closing ends it.</para>
/// <para>A command is listed before it runs: its slot says "starting" with the command's number before the spawn, and
/// each command gets that number in its environment (<c>BRIGADE_EXEC_ID</c>); a brigade killed between the spawn and
/// the line that names the new process's id leaves the reaper a number to find it by (<c>/proc/*/environ</c>).</para>
/// <para>Slot states: <c>E</c> never used (the list ends there), <c>F</c> free, <c>T</c> starting (the number),
/// <c>G</c> running in its own process group (the group and the process tree), <c>Z</c> its first process exited but
/// the group may live on (the group only: the process id may be reused), <c>P</c> running without a group of its own
/// (the process tree only).</para>
/// </remarks>
internal static unsafe class ExecReaper
{
    /// <summary>The environment variable that carries each command's number.</summary>
    public const string IdVariable = "BRIGADE_EXEC_ID";

    private const int SlotSize = 48;
    private const int Capacity = 1 << 16;
    private const int InitChunk = 128;

    /// <summary>The reaper's shell script: <c>$1</c> is <c>BRIGADE_EXEC_ID=</c> and this process's prefix; the list is on descriptor 3.</summary>
    internal const string Script = """
        exec >/dev/null 2>&1
        trap '' INT HUP TERM
        while IFS= read -r line; do :; done
        groups=' '
        pids=' '
        tokens=''
        while read -r state seq pid rest <&3; do
          case $state in
            E) break ;;
            T) tokens="$tokens -e $1$seq" ;;
            G) groups="$groups$pid "; pids="$pids$pid " ;;
            Z) groups="$groups$pid " ;;
            P) pids="$pids$pid " ;;
          esac
        done
        if [ -n "$tokens" ]; then
          for f in $(grep -lszxF $tokens /proc/[0-9]*/environ); do
            p=${f#/proc/}; p=${p%/environ}
            groups="$groups$p "; pids="$pids$p "
          done
        fi
        kill_tree() {
          local root s l r c
          root=$1
          kill -STOP "$root" 2>/dev/null || return 0
          for s in /proc/[0-9]*/stat; do
            read -r l < "$s" 2>/dev/null || continue
            r=${l##*) }
            set -- $r
            if [ "$2" = "$root" ]; then c=${s#/proc/}; kill_tree "${c%/stat}"; fi
          done
          kill -KILL "$root" 2>/dev/null
        }
        for g in $groups; do kill -STOP -$g 2>/dev/null; done
        for p in $pids; do kill_tree "$p"; done
        for g in $groups; do kill -KILL -$g 2>/dev/null; done
        # Done: status 0 (the last kill fails when the group is already gone, which is not the reaper's failure).
        exit 0
        """;

    private static readonly Lock Gate = new();
    private static readonly Stack<int> FreeSlots = new();
    private static bool _started;
    private static byte* _slots;
    private static int _nextSlot;
    private static int _initialized;

    /// <summary>Gets the prefix of this process's command numbers in <see cref="IdVariable"/> (unique per brigade process).</summary>
    public static string IdPrefix { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Random.Shared.Next():x8}.");

    /// <summary>Lists a command about to start under number <paramref name="id"/>; returns its slot, or -1 without a reaper.</summary>
    public static int Reserve(long id)
    {
        int slot;
        lock (Gate)
        {
            if (!_started)
            {
                _started = true;
                Start();
            }

            if (_slots is null)
            {
                return -1;
            }

            if (FreeSlots.Count > 0)
            {
                slot = FreeSlots.Pop();
            }
            else if (_nextSlot < Capacity)
            {
                slot = _nextSlot++;
                while (_initialized <= slot + 1 && _initialized < Capacity)
                {
                    // Untouched lines end the list: the reaper stops at the first 'E'.
                    for (var i = 0; i < InitChunk && _initialized < Capacity; i++, _initialized++)
                    {
                        var line = new Span<byte>(_slots + ((long)_initialized * SlotSize), SlotSize);
                        line.Fill((byte)' ');
                        line[^1] = (byte)'\n';
                        line[0] = (byte)'E';
                    }
                }
            }
            else
            {
                return -1;
            }
        }

        var at = _slots + ((long)slot * SlotSize);
        WriteNumber(at + 2, 20, id);
        WriteNumber(at + 23, 11, 0);
        Volatile.Write(ref at[0], (byte)'T');
        return slot;
    }

    /// <summary>Records the process the command runs as; <paramref name="ownGroup"/> when it leads a process group of its own.</summary>
    public static void Started(int slot, int pid, bool ownGroup)
    {
        if (slot < 0)
        {
            return;
        }

        var at = _slots + ((long)slot * SlotSize);
        WriteNumber(at + 23, 11, pid);
        Volatile.Write(ref at[0], ownGroup ? (byte)'G' : (byte)'P');
    }

    /// <summary>Records that the command's first process exited (it is about to be reaped): from now on only its group is killed.</summary>
    public static void LeaderExited(int slot)
    {
        if (slot >= 0 && _slots[(long)slot * SlotSize] == (byte)'G')
        {
            Volatile.Write(ref _slots[(long)slot * SlotSize], (byte)'Z');
        }
    }

    /// <summary>Takes a command off the list once it is over (exited or killed, its output closed).</summary>
    public static void Release(int slot)
    {
        if (slot < 0)
        {
            return;
        }

        Volatile.Write(ref _slots[(long)slot * SlotSize], (byte)'F');
        lock (Gate)
        {
            FreeSlots.Push(slot);
        }
    }

    // Left-aligned decimal in a space-filled field.
    private static void WriteNumber(byte* at, int width, long value)
    {
        var field = new Span<byte>(at, width);
        field.Fill((byte)' ');
        if (value > 0)
        {
            value.TryFormat(field, out _, default, CultureInfo.InvariantCulture);
        }
    }

    private static void Start()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/sh"))
        {
            return;
        }

        var name = "brigade-exec-slots\0"u8;
        int memfd;
        fixed (byte* n = name)
        {
            memfd = ExecNative.memfd_create(n, ExecNative.MfdCloexec);
        }

        if (memfd < 0)
        {
            return;
        }

        var size = (long)Capacity * SlotSize;
        var map = ExecNative.ftruncate(memfd, size) == 0
            ? ExecNative.mmap(0, (nint)size, ExecNative.ProtRead | ExecNative.ProtWrite, ExecNative.MapShared, memfd, 0)
            : -1;
        if (map == -1)
        {
            ExecNative.close(memfd);
            return;
        }

        // The first line says the list is empty until a command is listed.
        _slots = (byte*)map;
        var first = new Span<byte>(_slots, SlotSize);
        first.Fill((byte)' ');
        first[0] = (byte)'E';
        first[^1] = (byte)'\n';

        var pipe = stackalloc int[2];
        if (ExecNative.pipe2(pipe, ExecNative.OCloexec) != 0)
        {
            ExecNative.close(memfd);
            _slots = null;
            return;
        }

        // The reaper reads the death pipe on 0 and the list on 3. The write end stays in brigade only (close-on-exec):
        // its end is brigade's end.
        string[] argv = ["/bin/sh", "-c", Script, "brigade-reaper", IdVariable + "=" + IdPrefix];
        var pid = ExecSpawner.SpawnHelper(argv, [(pipe[0], 0), (memfd, 3)]);
        ExecNative.close(pipe[0]);
        ExecNative.close(memfd);
        if (pid <= 0)
        {
            ExecNative.close(pipe[1]);
            _slots = null;
            return;
        }

        // pipe[1] is never written to nor closed: only the kernel closes it, when this process ends.
    }

    /// <summary>Gets the reaper's view of the list, for tests: the state letters of the slots in use.</summary>
    internal static string Snapshot()
    {
        lock (Gate)
        {
            if (_slots is null)
            {
                return "";
            }

            var text = new StringBuilder();
            for (var i = 0; i < _nextSlot; i++)
            {
                text.Append((char)_slots[(long)i * SlotSize]);
            }

            return text.ToString();
        }
    }

    internal static bool IsRunning
    {
        get
        {
            lock (Gate)
            {
                return _slots is not null;
            }
        }
    }
}
