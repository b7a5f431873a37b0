namespace Bootstrapper.Core.Oci;

/// <summary>The media types of the OCI image and distribution specifications (1.1) that we write or read.</summary>
internal static class OciMediaTypes
{
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// <summary>The config of an artifact that has none: the two bytes "{}".</summary>
    public const string Empty = "application/vnd.oci.empty.v1+json";
    public const string Spdx = "application/spdx+json";
    /// <summary>Docker's types, which registries and old clients still answer with.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public const string RefName = "org.opencontainers.image.ref.name";
    public const string Created = "org.opencontainers.image.created";
}
