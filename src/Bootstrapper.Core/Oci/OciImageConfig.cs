using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Core.Oci;

/// <summary>
/// The image config and manifest of a one-layer image built from a recipe. Pure: the layer's digests come in, JSON
/// bytes come out, the same bytes for the same inputs (the manifest digest is what a registry and a lock compare).
/// </summary>
internal static class OciImageConfig
{
    /// <summary>What a shell finds without PATH in the environment: the value of Debian's and Alpine's official images.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <param name="diffId">"sha256:..." of the uncompressed layer tar.</param>
    /// <param name="created">SOURCE_DATE_EPOCH (or the build time when there is none).</param>
    public static byte[] Config(ImageSettings image, OciPlatform platform, string diffId, DateTimeOffset created,
        string createdBy) => OciJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("created", Timestamp(created));
        json.WriteString("architecture", platform.Architecture);
        if (platform.Variant is not null) json.WriteString("variant", platform.Variant);
        json.WriteString("os", platform.Os);
        json.WritePropertyName("config");
        json.WriteStartObject();
        if (image.User is not null) json.WriteString("User", image.User);
        OciJson.WriteStrings(json, "Env", Environment(image));
        OciJson.WriteStrings(json, "Entrypoint", image.Entrypoint);
        OciJson.WriteStrings(json, "Cmd", image.Cmd);
        if (image.Workdir is not null) json.WriteString("WorkingDir", image.Workdir);
        OciJson.WriteMap(json, "Labels", image.Labels);
        json.WriteEndObject();
        json.WritePropertyName("rootfs");
        json.WriteStartObject();
        json.WriteString("type", "layers");
        OciJson.WriteStrings(json, "diff_ids", [diffId]);
        json.WriteEndObject();
        json.WritePropertyName("history");
        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteString("created", Timestamp(created));
        json.WriteString("created_by", createdBy);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>The recipe's variables, PATH first when the recipe sets none (a runtime would otherwise pick its own).</summary>
    public static IReadOnlyList<string> Environment(ImageSettings image) =>
        image.Env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)) ? image.Env : [DefaultPath, .. image.Env];

    /// <summary>The standard annotations we know for a manifest: created, title, version, source.</summary>
    public static IReadOnlyDictionary<string, string> Annotations(string title, ImageSettings image, DateTimeOffset created)
    {
        var a = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OciMediaTypes.Created] = Timestamp(created),
            ["org.opencontainers.image.title"] = title,
        };
        if (image.Version is not null) a["org.opencontainers.image.version"] = image.Version;
        if (image.Source is not null) a["org.opencontainers.image.source"] = image.Source;
        return a;
    }

    public static byte[] Manifest(OciDescriptor config, IReadOnlyList<OciDescriptor> layers,
        IReadOnlyDictionary<string, string>? annotations, OciDescriptor? subject = null, string? artifactType = null) =>
        OciJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciMediaTypes.Manifest);
            if (artifactType is not null) json.WriteString("artifactType", artifactType);
            json.WritePropertyName("config");
            config.Write(json);
            json.WritePropertyName("layers");
            json.WriteStartArray();
            foreach (var layer in layers) layer.Write(json);
            json.WriteEndArray();
            if (subject is not null)
            {
                json.WritePropertyName("subject");
                subject.Write(json);
            }
            OciJson.WriteMap(json, "annotations", annotations);
            json.WriteEndObject();
        });

    /// <summary>An image index (also the shape of a layout's index.json).</summary>
    public static byte[] Index(IEnumerable<OciDescriptor> manifests, IReadOnlyDictionary<string, string>? annotations = null) =>
        OciJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciMediaTypes.Index);
            json.WritePropertyName("manifests");
            json.WriteStartArray();
            foreach (var m in manifests) m.Write(json);
            json.WriteEndArray();
            OciJson.WriteMap(json, "annotations", annotations);
            json.WriteEndObject();
        });

    /// <summary>RFC 3339 in UTC, seconds only: what `date -u +%FT%TZ` prints for the epoch.</summary>
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
