using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Brigade.Doctor.Capture;

/// <summary>
/// Review 57: writes an ELF core file of another process itself, as <c>gcore</c> does with <c>coredump_filter</c> 0x3f,
/// when this process may ptrace it: every thread seized (<c>PTRACE_SEIZE</c> and <c>PTRACE_INTERRUPT</c>, no SIGSTOP, so
/// a doctor killed mid-way leaves the target running: the kernel detaches), its registers read, every readable mapping
/// copied in 1 MiB reads (<c>process_vm_readv</c>), the threads let go. The runtime's <c>createdump</c> cost 0.35-0.45 s
/// of CPU per dump whatever its size (~150,000 reads of 1-8 bytes walking every library's unwind tables).
/// </summary>
/// <remarks>
/// x64 only. Every call (ptrace's requests are the tracing thread's) runs on the thread that calls <see cref="Write"/>,
/// which should be a thread of its own that ends afterwards: a thread's tracees are let go when it ends. Pages that cannot
/// be read (a file mapping past its file's end) are written as zeros; pages that read as zeros are left as holes in the
/// file (never-touched stacks and heap cost nothing on <c>/dev/shm</c>).
/// </remarks>
internal sealed unsafe class PtraceCore
{
    private const int RegisterBytes = 27 * 8;            // struct user_regs_struct (x64)
    private const int PrStatusBytes = 336;               // struct elf_prstatus (x64)
    private const int PrStatusRegisters = 112;           // offset of pr_reg
    private const int PrPsInfoBytes = 136;               // struct elf_prpsinfo (x64)
    private const int ElfHeaderBytes = 64;
    private const int ProgramHeaderBytes = 56;
    private const int ChunkBytes = 1 << 20;
    private const int HoleBlockBytes = 64 << 10;
    private const uint NoteFile = 0x46494C45;            // NT_FILE
    private const uint NoteAuxiliaryVector = 6;          // NT_AUXV
    private const uint NotePrPsInfo = 3;                 // NT_PRPSINFO

    private readonly int _processId;
    private readonly CancellationToken _cancellationToken;
    private readonly HashSet<int> _known = [];
    private readonly List<int> _attached = [];
    private readonly Dictionary<int, int> _reinject = [];
    private readonly List<(int ThreadId, byte[] Registers)> _stopped = [];
    private readonly int _pageSize = Environment.SystemPageSize;

    private PtraceCore(int processId, CancellationToken cancellationToken)
    {
        _processId = processId;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Seams for tests (review 57), read on the calling thread.</summary>
    internal sealed class Seams
    {
        /// <summary>Gets a value indicating whether <c>PTRACE_SEIZE</c> is treated as refused (EPERM), as Yama or a container would.</summary>
        public bool RefuseSeize { get; init; }

        /// <summary>Gets what filters the threads read from <c>/proc/PID/task</c> on each round (round number, threads): a thread
        /// hidden in the first round and shown later is one that started during the seize.</summary>
        public Func<int, IReadOnlyList<int>, IReadOnlyList<int>>? Threads { get; init; }

        /// <summary>Gets what runs once every thread is stopped, before the memory is copied.</summary>
        public Action? Stopped { get; init; }

        /// <summary>Gets what runs before each read of the memory copy (up to 1 MiB), with the read's index and how many
        /// reads the copy makes (review 68: a test kills the target there).</summary>
        public Action<int, int>? Reading { get; init; }

        /// <summary>Gets what runs once the memory is copied, before the threads are let go.</summary>
        public Action? Copied { get; init; }
    }

    /// <summary>Whether this kind of core can be written here: Linux on x64.</summary>
    public static bool Supported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>
    /// Writes the core file of <paramref name="processId"/> into <paramref name="file"/> (empty, at offset 0). Returns null
    /// when it is written, or why it could not be (ptrace refused, a thread's registers unreadable, ...): the caller then
    /// takes the dump the usual way. Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// is cancelled; every thread is let go however it ends.
    /// </summary>
    /// <param name="processId">The process (not this one).</param>
    /// <param name="file">Where the core goes.</param>
    /// <param name="reaperLock">When the target is this process's child: the lock under which .NET's <c>Process</c> reaps
    /// children on SIGCHLD. Its <c>waitpid(child, WNOHANG)</c> would collect the main thread's ptrace stop as an exit (the
    /// child would read as ended); it is held until that stop is collected here.</param>
    /// <param name="seams">Test seams, or null.</param>
    /// <param name="cancellationToken">Cancels (and bounds) the dump.</param>
    public static string? Write(int processId, SafeFileHandle file, object? reaperLock, Seams? seams, CancellationToken cancellationToken)
    {
        var core = new PtraceCore(processId, cancellationToken);
        try
        {
            var why = core.StopAll(reaperLock, seams);
            if (why is not null)
            {
                return why;
            }

            seams?.Stopped?.Invoke();
            why = core.WriteCore(file, seams);
            if (why is null)
            {
                seams?.Copied?.Invoke();
            }

            return why;
        }
        finally
        {
            core.LetGo();
        }
    }

    private string? StopAll(object? reaperLock, Seams? seams)
    {
        var locked = false;
        try
        {
            if (reaperLock is not null)
            {
                Monitor.Enter(reaperLock, ref locked);
            }

            // Threads may start meanwhile (from threads not yet stopped): read the list again until it has no new one. A
            // thread that still starts after that many rounds is left out (it runs on; the dump is taken without it).
            for (var round = 0; round < 50; round++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<int> threads = ListThreads();
                if (seams?.Threads is { } filter)
                {
                    threads = filter(round, threads);
                }

                var fresh = threads.Where(_known.Add).ToList();
                if (fresh.Count == 0)
                {
                    break;
                }

                var interrupted = new List<int>();
                foreach (var thread in fresh)
                {
                    if (seams?.RefuseSeize == true)
                    {
                        return "PTRACE_SEIZE refused (EPERM, a test's)";
                    }

                    if (Ptrace.Request(Ptrace.Seize, thread, 0, 0) != 0)
                    {
                        var error = Marshal.GetLastPInvokeError();
                        if (error == Ptrace.ErrorNoSuchProcess)
                        {
                            continue; // it ended meanwhile
                        }

                        return string.Create(CultureInfo.InvariantCulture, $"PTRACE_SEIZE of thread {thread} failed ({Marshal.GetPInvokeErrorMessage(error)}, errno {error})");
                    }

                    _attached.Add(thread);
                    Ptrace.Request(Ptrace.Interrupt, thread, 0, 0);
                    interrupted.Add(thread);
                }

                foreach (var thread in interrupted)
                {
                    if (WaitStopped(thread) is { } registers)
                    {
                        _stopped.Add((thread, registers));
                    }
                }
            }
        }
        finally
        {
            if (locked)
            {
                Monitor.Exit(reaperLock!);
            }
        }

        return _stopped.Count == 0 ? "no thread could be stopped" : null;
    }

    /// <summary>Waits for the thread's stop and reads its registers; null when it ended meanwhile.</summary>
    private byte[]? WaitStopped(int thread)
    {
        var spins = 0;
        while (true)
        {
            var waited = Ptrace.WaitPid(thread, out var status, Ptrace.WaitAll | Ptrace.WaitNoHang);
            if (waited == thread)
            {
                if ((status & 0xFF) != 0x7F)
                {
                    _attached.Remove(thread); // it exited
                    return null;
                }

                // A signal-delivery stop (no event) holds back the signal: it is handed back when the thread is let go.
                if (status >> 16 == 0)
                {
                    _reinject[thread] = (status >> 8) & 0xFF;
                }

                return ReadRegisters(thread);
            }

            if (waited < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == Ptrace.ErrorInterrupted)
                {
                    continue;
                }

                _attached.Remove(thread);
                return null;
            }

            _cancellationToken.ThrowIfCancellationRequested();
            if (++spins < 64)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    private static byte[]? ReadRegisters(int thread)
    {
        var registers = new byte[RegisterBytes];
        fixed (byte* buffer = registers)
        {
            var vector = new Ptrace.IoVector { Base = (nint)buffer, Length = RegisterBytes };
            return Ptrace.Request(Ptrace.GetRegisterSet, thread, Ptrace.NotePrStatus, (nint)(&vector)) == 0 && vector.Length == RegisterBytes ? registers : null;
        }
    }

    private void LetGo()
    {
        foreach (var thread in _attached)
        {
            // A thread not stopped yet cannot be detached (ESRCH): it is let go when this thread ends.
            Ptrace.Request(Ptrace.Detach, thread, 0, _reinject.GetValueOrDefault(thread));
        }

        _attached.Clear();
    }

    private List<int> ListThreads()
    {
        var threads = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories($"/proc/{_processId}/task"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var thread))
            {
                threads.Add(thread);
            }
        }

        // The main thread first, as the kernel writes the thread that dumped first.
        threads.Sort((a, b) => a == _processId ? -1 : b == _processId ? 1 : a.CompareTo(b));
        return threads;
    }

    private string? WriteCore(SafeFileHandle file, Seams? seams)
    {
        var mappings = MemoryMapping.Read(_processId).Where(m => m.Readable && !m.IsSpecial).ToList();
        if (mappings.Count + 1 >= 0xFFFF)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{mappings.Count} mappings (more than an ELF header counts)");
        }

        var stat = ProcessStat(_processId);
        var notes = new MemoryStream();
        AppendNote(notes, NotePrPsInfo, PrPsInfo(stat));
        foreach (var (thread, registers) in _stopped)
        {
            AppendNote(notes, Ptrace.NotePrStatus, PrStatus(thread, registers, stat));
        }

        AppendNote(notes, NoteAuxiliaryVector, File.ReadAllBytes($"/proc/{_processId}/auxv"));
        AppendNote(notes, NoteFile, FileTable(mappings));

        var headersEnd = ElfHeaderBytes + (ProgramHeaderBytes * (mappings.Count + 1));
        var notesOffset = headersEnd;
        var dataOffset = Align(notesOffset + notes.Length, _pageSize);
        var headers = new byte[headersEnd];
        WriteElfHeader(headers, mappings.Count + 1);
        WriteProgramHeader(headers.AsSpan(ElfHeaderBytes), type: 4, flags: 0, notesOffset, 0, (ulong)notes.Length, align: 4);
        var offset = dataOffset;
        for (var i = 0; i < mappings.Count; i++)
        {
            var m = mappings[i];
            var flags = (m.Readable ? 4u : 0) | (m.Writable ? 2u : 0) | (m.Executable ? 1u : 0);
            WriteProgramHeader(headers.AsSpan(ElfHeaderBytes + (ProgramHeaderBytes * (i + 1))), type: 1, flags, offset, m.Start, m.End - m.Start, (ulong)_pageSize);
            offset += (long)(m.End - m.Start);
        }

        RandomAccess.Write(file, headers, 0);
        RandomAccess.Write(file, notes.GetBuffer().AsSpan(0, (int)notes.Length), notesOffset);

        var buffer = GC.AllocateUninitializedArray<byte>(ChunkBytes, pinned: true);
        var at = dataOffset;
        var reads = seams?.Reading is null ? 0 : mappings.Sum(m => (int)((m.End - m.Start + ChunkBytes - 1) / ChunkBytes));
        var read = 0;
        fixed (byte* pinned = buffer)
        {
            foreach (var m in mappings)
            {
                for (var address = m.Start; address < m.End;)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    var length = (int)Math.Min((ulong)ChunkBytes, m.End - address);
                    seams?.Reading?.Invoke(read++, reads);
                    Copy(pinned, address, length);
                    WriteNonZero(file, buffer.AsSpan(0, length), at);
                    address += (ulong)length;
                    at += length;
                }
            }
        }

        // The file's full length, holes included (the headers describe every byte).
        if (RandomAccess.GetLength(file) < at)
        {
            RandomAccess.Write(file, new byte[1], at - 1);
        }

        return null;
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="address"/>; what cannot be read (a file mapping past
    /// its file's end) reads as zeros, page by page. Review 68: a read refused because the process is gone (ESRCH: it was
    /// killed, its memory released) throws <see cref="TargetExitedException"/>; before, its pages read as zeros, and the
    /// core of a dead process went to the analysis, which blamed the data-access library.</summary>
    private void Copy(byte* buffer, ulong address, int length)
    {
        var read = ReadOrThrowIfGone(buffer, address, length);
        if (read == length)
        {
            return;
        }

        var good = read > 0 ? (int)read & ~(_pageSize - 1) : 0;
        for (var page = good; page < length; page += _pageSize)
        {
            var size = Math.Min(_pageSize, length - page);
            if (ReadOrThrowIfGone(buffer + page, address + (ulong)page, size) != size)
            {
                new Span<byte>(buffer + page, size).Clear();
            }
        }
    }

    private long ReadOrThrowIfGone(byte* buffer, ulong address, int length)
    {
        var read = Ptrace.ReadMemory(_processId, buffer, address, length);
        if (read < 0 && Marshal.GetLastPInvokeError() == Ptrace.ErrorNoSuchProcess)
        {
            throw new TargetExitedException(string.Create(CultureInfo.InvariantCulture, $"process {_processId} ended while its memory was read (process_vm_readv: ESRCH at 0x{address:x})"));
        }

        return read;
    }

    /// <summary>The process ended while its core was written (review 68).</summary>
    internal sealed class TargetExitedException(string message) : Exception(message);

    /// <summary>Writes the blocks of <paramref name="data"/> that are not all zeros; the others stay holes.</summary>
    private static void WriteNonZero(SafeFileHandle file, ReadOnlySpan<byte> data, long offset)
    {
        var runStart = -1;
        for (var block = 0; block < data.Length; block += HoleBlockBytes)
        {
            var size = Math.Min(HoleBlockBytes, data.Length - block);
            var zero = data.Slice(block, size).IndexOfAnyExcept((byte)0) < 0;
            if (!zero && runStart < 0)
            {
                runStart = block;
            }
            else if (zero && runStart >= 0)
            {
                RandomAccess.Write(file, data[runStart..block], offset + runStart);
                runStart = -1;
            }
        }

        if (runStart >= 0)
        {
            RandomAccess.Write(file, data[runStart..], offset + runStart);
        }
    }

    private static long Align(long value, int to) => (value + to - 1) / to * to;

    private static void AppendNote(MemoryStream notes, uint type, ReadOnlySpan<byte> description)
    {
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 5);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)description.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], type);
        "CORE\0\0\0\0"u8.CopyTo(header[12..]);
        notes.Write(header);
        notes.Write(description);
        notes.Write(new byte[Align(description.Length, 4) - description.Length]);
    }

    private static void WriteElfHeader(Span<byte> header, int programHeaders)
    {
        "\u007FELF"u8.CopyTo(header);
        header[4] = 2;  // 64-bit
        header[5] = 1;  // little-endian
        header[6] = 1;  // version
        BinaryPrimitives.WriteUInt16LittleEndian(header[16..], 4);    // ET_CORE
        BinaryPrimitives.WriteUInt16LittleEndian(header[18..], 62);   // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], ElfHeaderBytes);  // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(header[52..], ElfHeaderBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(header[54..], ProgramHeaderBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(header[56..], (ushort)programHeaders);
        BinaryPrimitives.WriteUInt16LittleEndian(header[58..], 64);   // e_shentsize
    }

    private static void WriteProgramHeader(Span<byte> entry, uint type, uint flags, long offset, ulong address, ulong size, ulong align)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, type);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], flags);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], size);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[40..], type == 1 ? size : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[48..], align);
    }

    /// <summary>The fields of <c>/proc/PID/stat</c> after the name: [0] state, [1] ppid, [2] pgrp, [3] session, [6] flags, [16] nice.</summary>
    private static string[] ProcessStat(int processId)
    {
        var text = File.ReadAllText($"/proc/{processId}/stat");
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static int Field(string[] stat, int index) =>
        index < stat.Length && int.TryParse(stat[index], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private byte[] PrPsInfo(string[] stat)
    {
        var info = new byte[PrPsInfoBytes];
        var state = stat[0].Length > 0 ? stat[0][0] : 'R';
        info[0] = (byte)Math.Max(0, "RSDTZW".IndexOf(state, StringComparison.Ordinal));
        info[1] = (byte)state;
        info[2] = (byte)(state == 'Z' ? 1 : 0);
        info[3] = (byte)(sbyte)Field(stat, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(8), (ulong)(uint)Field(stat, 6));
        var target = TargetProcess.Read(_processId);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(16), target.UserId);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(20), target.GroupId);
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(24), NamespaceId(_processId, _processId));
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(28), Field(stat, 1));
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(32), Field(stat, 2));
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(36), Field(stat, 3));
        var name = Encoding.UTF8.GetBytes(target.Name);
        name.AsSpan(0, Math.Min(name.Length, 15)).CopyTo(info.AsSpan(40));
        var arguments = File.ReadAllBytes($"/proc/{_processId}/cmdline");
        var length = Math.Min(arguments.Length, 79);
        for (var i = 0; i < length; i++)
        {
            info[56 + i] = arguments[i] == 0 ? (byte)' ' : arguments[i];
        }

        if (length > 0 && info[56 + length - 1] == (byte)' ')
        {
            info[56 + length - 1] = 0;
        }

        return info;
    }

    private byte[] PrStatus(int thread, byte[] registers, string[] stat)
    {
        var status = new byte[PrStatusBytes];
        // pr_pid is the thread's id as the target sees it (another PID namespace: a container): the runtime's threads carry that id.
        BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(32), NamespaceId(_processId, thread));
        BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(36), Field(stat, 1));
        BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(40), Field(stat, 2));
        BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(44), Field(stat, 3));
        registers.CopyTo(status.AsSpan(PrStatusRegisters));
        return status;
    }

    /// <summary>The thread's id in its own PID namespace (the last field of <c>NSpid:</c>), or its id here.</summary>
    private static int NamespaceId(int processId, int thread)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/task/{thread}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var last = line[6..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                    return int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : thread;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // It ended meanwhile: its id here.
        }

        return thread;
    }

    /// <summary>NT_FILE: the file-backed mappings (count, page size, then start, end and page offset of each, then their paths).</summary>
    private byte[] FileTable(List<MemoryMapping> mappings)
    {
        var files = mappings.Where(m => m.IsFile).ToList();
        var table = new MemoryStream();
        var word = new byte[8];
        void Put(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, value);
            table.Write(word);
        }

        Put((ulong)files.Count);
        Put((ulong)_pageSize);
        foreach (var m in files)
        {
            Put(m.Start);
            Put(m.End);
            Put(m.Offset / (ulong)_pageSize);
        }

        foreach (var m in files)
        {
            table.Write(Encoding.UTF8.GetBytes(m.Path));
            table.WriteByte(0);
        }

        return table.ToArray();
    }
}
