namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A static constructor loads its settings with <c>Task.Run(...).Result</c>, and the task reads a static of the
/// same type: the pool thread waits for the type's initialization, which waits for the task.</summary>
public sealed class TypeInitializerWaitsTask : Scenario
{
    private static int s_loaderStarted;

    public override string Name => "type-initializer-waits-task";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["initializer", "settings-loader"]], WaitKinds = ["Task", "TypeInitializer"] };

    public override void Start()
    {
        var initializer = Run("initializer", () => _ = Settings.Values.Count);
        WaitUntil(() => Volatile.Read(ref s_loaderStarted) == 1);
        WaitUntilBlocked(initializer);
    }

    private static class Settings
    {
        public static readonly Dictionary<string, string> Values;

        public static readonly string Default = "default";

        static Settings()
        {
            // "Load in the background": the task needs Settings.Default, whose type is being initialized by this very thread.
            Values = Task.Run(() =>
            {
                Thread.CurrentThread.Name = "settings-loader";
                Volatile.Write(ref s_loaderStarted, 1);
                return new Dictionary<string, string> { ["mode"] = Default };
            }).Result;
        }
    }
}
