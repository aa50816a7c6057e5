namespace Brigade.Doctor.Corpus;

/// <summary>Review 65: one hang (BRG1008, "possible") of a <see cref="Finding.Hang"/> scenario: the threads that wait for
/// ever, the ended task the report names, and the source line (of the scenario's own file) whose <c>Release</c> it names.</summary>
/// <param name="Threads">The names of the threads of the report, all of them.</param>
/// <param name="Task">Words the report uses for the ended task ("a task cancelled before it ran").</param>
/// <param name="ReleaseLine">The line of the scenario's file, trimmed, that calls <c>Release</c>: the report names its file:line.</param>
public sealed record ExpectedHang(string[] Threads, string Task, string ReleaseLine);
