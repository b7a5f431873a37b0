namespace Bootstrapper.Core.Oci;

/// <summary>An OCI platform (GOARCH names), from a distribution's architecture name.</summary>
internal sealed record OciPlatform(string Architecture, string Os = "linux", string? Variant = null)
{
    /// <summary>Debian's and Alpine's architecture names in the Go names image configs use.</summary>
    public static OciPlatform FromDistroArchitecture(string family, string architecture) => architecture switch
    {
        "armhf" when family == "alpine" => new("arm", Variant: "v6"), // Alpine's armhf is ARMv6, Debian's ARMv7
        "amd64" or "x86_64" => new("amd64"),
        "arm64" or "aarch64" => new("arm64", Variant: "v8"),
        "armhf" or "armv7" => new("arm", Variant: "v7"),
        "armel" => new("arm", Variant: "v5"),
        "i386" or "x86" => new("386"),
        "ppc64el" or "ppc64le" => new("ppc64le"),
        "mips64el" => new("mips64le"),
        "loong64" or "loongarch64" => new("loong64"),
        // s390x, riscv64 and the rest have the same name in both worlds.
        _ => new(architecture),
    };

    public override string ToString() => $"{Os}/{Architecture}{(Variant is null ? "" : "/" + Variant)}";
}
