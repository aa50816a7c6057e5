namespace Brigade.Doctor.Corpus;

/// <summary>Live objects that make a process's heap as large as asked: linked records with a name and a payload, like an application's cache.</summary>
internal sealed class Ballast
{
    private Ballast(string name, byte[] payload, Ballast? next)
    {
        Name = name;
        Payload = payload;
        Next = next;
    }

    public string Name { get; }

    public byte[] Payload { get; }

    public Ballast? Next { get; }

    public static List<Ballast> Allocate(int megabytes)
    {
        // About 256 bytes per record (object, string, array); chains of 1,000 so that no stack gets deep.
        var chains = new List<Ballast>();
        var records = megabytes * 4096L;
        Ballast? head = null;
        for (long i = 0; i < records; i++)
        {
            head = new Ballast($"customer-{i}", new byte[128], i % 1000 == 0 ? null : head);
            if (i % 1000 == 999)
            {
                chains.Add(head);
            }
        }

        if (head is not null)
        {
            chains.Add(head);
        }

        return chains;
    }
}
