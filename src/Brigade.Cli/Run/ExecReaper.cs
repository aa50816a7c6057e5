using System.ComponentModel;
using System.Diagnostics;

namespace Brigade.Cli.Run;

/// <summary>
/// Kills the commands <c>brigade run --exec</c> left running when brigade itself dies without cleaning up (SIGKILL,
/// a crash), so that a resumed run never races with an orphan of the interrupted one. Linux only.
/// </summary>
/// <remarks>
/// One small shell process per brigade process, started with the first command. Brigade writes <c>+PID</c> when a
/// command starts and <c>-PID</c> when it is done to the reaper's standard input. The kernel closes that pipe when
/// brigade dies, however it dies; the reaper then stops and kills each command still listed together with every
/// process below it (found through <c>/proc/*/stat</c>, no procps needed). When brigade exits normally its commands
/// are done, the list is empty, and the reaper exits without killing anything. It ignores SIGINT and SIGHUP, which a
/// terminal sends to the whole foreground group: brigade handles Ctrl+C itself (it kills its commands' trees).
/// </remarks>
internal static class ExecReaper
{
    private const string Script = """
        exec >/dev/null 2>&1
        trap '' INT HUP
        pids=' '
        while IFS= read -r line; do
          case $line in
            +*) pids="$pids${line#+} " ;;
            -*) p=${line#-}
                case $pids in *" $p "*) pids="${pids%% $p *} ${pids#* $p }" ;; esac ;;
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
        for p in $pids; do kill_tree "$p"; done
        """;

    private static readonly Lock Gate = new();
    private static Process? _reaper;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Lists a command that just started.</summary>
    public static void Track(int pid) => Send('+', pid);

    /// <summary>Takes a command off the list once it has exited (or been killed).</summary>
    public static void Untrack(int pid) => Send('-', pid);

    private static void Send(char op, int pid)
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
