namespace Brigade.Doctor;

/// <summary>The object a blocked thread waits on: its type, address, and what in the program refers to it.</summary>
public sealed class WaitObject
{
    internal WaitObject(ulong address, string typeName, string? heldIn)
    {
        Address = address;
        TypeName = typeName;
        HeldIn = heldIn;
    }

    /// <summary>Gets the object's address in the dump.</summary>
    public ulong Address { get; }

    /// <summary>Gets the object's type, such as <c>System.Object</c> or <c>System.Threading.Lock</c>.</summary>
    public string TypeName { get; }

    /// <summary>Gets what refers to it, where found: <c>static field Bank.Audit</c>, <c>field Account._gate</c>, or <c>captured variable 'a' of Program.Main</c>.</summary>
    public string? HeldIn { get; }

    /// <summary>Returns the type, the referring field when known, and the address.</summary>
    /// <returns>For example <c>System.Object (static field Bank.Audit) @7f12a0c0a2f8</c>.</returns>
    public override string ToString() => HeldIn is null ? $"{TypeName} @{Address:x}" : $"{TypeName} ({HeldIn}) @{Address:x}";
}
