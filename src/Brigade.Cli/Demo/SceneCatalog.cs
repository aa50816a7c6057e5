using Brigade.Cli.Demo.Scenes;

namespace Brigade.Cli.Demo;

/// <summary>Every scene of the demo, in the order they run. Each capability adds its scenes here.</summary>
internal static class SceneCatalog
{
    public static IReadOnlyList<IDemoScene> All { get; } =
    [
        new SleepingTaskScene(),
        new BlockingIoScene(),
        new CpuBoundScene(),
        new TinyTasksScene(),
        new CrashContainmentScene(),
        new AutoModeScene(),
        new CommandsScene(),
        new DeadlockScene(),
        new LockOrderScene(),
        new StarvationScene(),
        new ThreadPoolStarvationScene(),
        new RaceScene(),
        new LivelockScene(),
        new ExplorationScene(),
        new DoctorScene(),
        new PlainLockWatchScene(),
        new AnalyzersScene(),
        new ClusterScene(),
    ];
}
