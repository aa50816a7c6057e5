using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>
/// The worker's main thread: takes the channel over, arms the parent-death watch, answers the handshake, then reads
/// frames until the host closes the channel, at which point the process exits at once.
/// </summary>
internal static class WorkerHost
{
    /// <summary>Runs the worker until the host closes the channel.</summary>
    /// <param name="args">The command line the host started the worker with.</param>
    /// <param name="resolver">Creates what resolves work types, from the assemblies and the work type named on the
    /// command line; called before anything else, so that it can start loading them at once.</param>
    public static int Run(string[] args, Func<IReadOnlyList<string>, string?, IWorkResolver> resolver)
    {
        var parent = 0;
        var assemblies = new List<string>();
        string? workHint = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--parent":
                    parent = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--assembly":
                    assemblies.Add(args[i + 1]);
                    break;
                case "--work":
                    workHint = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine($"brigade worker: unknown argument '{args[i]}'");
                    return 2;
            }
        }

        // Loading the work type's assembly and its JSON metadata is most of a cold start: begin at once, on a
        // thread of its own, while the runtime finishes starting and the host sends the handshake and Prepare.
        var work = resolver(assemblies, workHint);
        var (input, output) = Stdio.TakeOver();
        ParentWatch.Arm(parent);
        var fault = Environment.GetEnvironmentVariable(WireFormat.FaultVariable);
        var channel = new WorkerChannel(output);
        // Large payloads (a batch of 10 MB inputs) are read into arrays of their own, which the executor takes as they are:
        // no grown buffer stays in a reader that waits idle in a read, and no copy per command (lib64).
        var reader = new FrameReader(input, "the host", ownLargePayloads: true);
        try
        {
            if (!reader.TryRead(out var type, out var payload))
            {
                return 0;
            }

            if (type != MessageType.Hello)
            {
                throw new ProtocolException($"expected Hello, got {type}");
            }

            var hello = new PayloadReader(payload.Span);
            if (hello.ReadUInt32() != WireFormat.Magic)
            {
                throw new ProtocolException("the host's Hello has the wrong magic number");
            }

            var version = hello.ReadUInt16();
            if (version != WireFormat.Version)
            {
                channel.TrySendFatal($"the host speaks protocol version {version}; this worker speaks {WireFormat.Version}");
                return 3;
            }

            if (fault is not null && fault.StartsWith(HoldReady, StringComparison.Ordinal))
            {
                HoldBeforeReady(fault[HoldReady.Length..]);
            }

            SendReady(channel, fault);
            var executor = new Executor(channel, work, fault);
            executor.Start();
            while (reader.TryReadOwned(out type, out var command))
            {
                switch (type)
                {
                    case MessageType.Cancel:
                        executor.Cancel(new PayloadReader(command).ReadInt64());
                        break;
                    case MessageType.Prepare:
                    case MessageType.Batch:
                    case MessageType.Release:
                        executor.Post(type, command);
                        break;
                    default:
                        throw new ProtocolException($"unexpected message {type} from the host");
                }
            }
        }
        catch (ProtocolException e)
        {
            Console.Error.WriteLine($"brigade worker: protocol error: {e.Message}");
            channel.TrySendFatal($"protocol error: {e.Message}");
            ParentWatch.Exit(2);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // An assembly the worker needs could not be loaded (Brigade.dll not beside a hand-copied or bundled host):
            // not the channel breaking, which the IOException below is; before, it exited 0 without a word.
            var file = e switch
            {
                FileNotFoundException f => f.FileName,
                FileLoadException f => f.FileName,
                BadImageFormatException f => f.FileName,
                _ => null,
            };
            var reason = $"could not load {(file is null ? "an assembly" : $"'{file}'")}: {e.Message}";
            Console.Error.WriteLine($"brigade worker: {reason}");
            try
            {
                channel.TrySendFatal(reason);
            }
            catch (Exception again) when (again is FileNotFoundException or FileLoadException)
            {
                // The channel's own code needs Brigade.dll too: the host reads the reason from standard error.
            }

            ParentWatch.Exit(2);
        }
        catch (IOException)
        {
            // The channel broke: the host is gone.
        }

        // The host closed the channel (or died): nothing left to do, and nobody to wait for.
        ParentWatch.Exit(0);
        return 0;
    }

    // Fault injection for the host's tests: "hold-ready:DIR" writes DIR/PID.pid, then holds the handshake until
    // DIR/release exists (a worker that is slow to start, for as long as the test wants).
    private const string HoldReady = "hold-ready:";

    private static void HoldBeforeReady(string directory)
    {
        File.WriteAllText(Path.Combine(directory, $"{Environment.ProcessId}.pid"), "");
        while (!File.Exists(Path.Combine(directory, "release")))
        {
            Thread.Sleep(20);
        }
    }

    private static void SendReady(WorkerChannel channel, string? fault)
    {
        var frame = new FrameBuffer(128);
        frame.BeginFrame(MessageType.Ready);
        frame.WriteUInt32(fault == "bad-magic" ? 0xDEADBEEF : WireFormat.Magic);
        frame.WriteUInt16(fault == "version" ? (ushort)999 : WireFormat.Version);
        frame.WriteInt32(Environment.ProcessId);
        frame.WriteString(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        frame.EndFrame();
        channel.Write(frame);
    }
}
