using System.Diagnostics;

namespace Brigade.Diagnostics;

/// <summary>Who last accessed a variable, and where: kept for the report of a race found later.</summary>
internal struct AccessRecord
{
    public RaceFlow? Flow;
    public AccessKind Kind;
    public string? Member;
    public string? File;
    public int Line;
    public StackTrace? Trace;

    public void Set(RaceFlow flow, AccessKind kind, string member, string file, int line, StackTrace? trace)
    {
        Flow = flow;
        Kind = kind;
        if (!ReferenceEquals(Member, member))
        {
            Member = member;
        }

        if (!ReferenceEquals(File, file))
        {
            File = file;
        }

        Line = line;
        if (Trace is not null || trace is not null)
        {
            Trace = trace;
        }
    }
}
