using System.ComponentModel;
using System.Diagnostics;

namespace Brigade.Cli.Run;

/// <summary>
/// Kills the commands <c>brigade run --exec</c> left running when brigade itself dies without cleaning up (SIGKILL,
/// a crash), so that a resumed run never races with an orphan of the interrupted one. Linux only.
/// </summary>
/// <remarks>
/// One small shell process per brigade process, started with the first command. Brigade writes <c>+PID</c> (or
/// <c>+gPID</c> for a command that leads a process group of its own) when a command starts and <c>-PID</c> when it is
/// done to the reaper's standard input. The kernel closes that pipe when brigade dies, however it dies; the reaper then
/// stops and kills each command still listed: its whole process group (background children such as
/// <c>sleep 60 &amp;</c> included, even after the shell itself exited) and every process below it (found through
/// <c>/proc/*/stat</c>, no procps needed). When brigade exits normally its commands are done, the list is empty, and
/// the reaper exits without killing anything. It ignores SIGINT and SIGHUP, which a terminal sends to the whole
/// foreground group: brigade handles Ctrl+C itself (it kills its commands' groups).
/// </remarks>
internal static class ExecReaper
{
    private const string Script = """
        exec >/dev/null 2>&1
        trap '' INT HUP
        pids=' '
        groups=' '
        while IFS= read -r line; do
          case $line in
            +g*) groups="$groups${line#+g} " ;;
            +*) pids="$pids${line#+} " ;;
            -*) p=${line#-}
                case $pids in *" $p "*) pids="${pids%% $p *} ${pids#* $p }" ;; esac
                case $groups in *" $p "*) groups="${groups%% $p *} ${groups#* $p }" ;; esac ;;
          esac
        done
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
        for p in $groups $pids; do kill_tree "$p"; done
        for g in $groups; do kill -KILL -$g 2>/dev/null; done
        """;

    private static readonly Lock Gate = new();
    private static Process? _reaper;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Lists a command that just started; <paramref name="ownGroup"/> when it leads a process group of its own.</summary>
    public static void Track(int pid, bool ownGroup) => Send(ownGroup ? "+g" : "+", pid);

    /// <summary>Takes a command off the list once it has exited (or been killed).</summary>
    public static void Untrack(int pid) => Send("-", pid);

    private static void Send(string op, int pid)
    {
        lock (Gate)
        {
            if (_unavailable)
            {
                return;
            }

            try
            {
                _reaper ??= Start();
                _reaper.StandardInput.Write($"{op}{pid}\n");
                _reaper.StandardInput.Flush();
            }
            catch (Exception e) when (e is IOException or Win32Exception or InvalidOperationException)
            {
                // No reaper (no /bin/sh, or it was killed): commands still run, only without this safety net.
                _unavailable = true;
            }
        }
    }

    private static Process Start()
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("the reaper did not start");
        process.StandardInput.AutoFlush = false;
        return process;
    }
}
