#!/usr/bin/env python3
"""Moves the hermetic tests into folders that mirror the source namespaces (issue 11): a test of
Bootstrapper.Core.Debian.Resolution lives in tests/Bootstrapper.Tests/Core/Debian/Resolution, namespace
Bootstrapper.Tests.Core.Debian.Resolution; Engine and Cli likewise. Tests that drive whole builds through the CLI
stay by scenario under Scenarios/; shared fixtures under Fixtures/. Re-runnable: files already moved are skipped,
namespaces follow the folders, and a file that used a moved namespace gets a using for where its types went
(scripts/format.sh then drops the usings a file does not need)."""
import os, re, subprocess
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
T = 'tests/Bootstrapper.Tests/'
MOVES = {
    'Alpine/ApkIndexTests.cs': 'Core/Alpine/Index',
    'Alpine/ApkPackageFileTests.cs': 'Core/Alpine/Package',
    'Alpine/GzipMembersTests.cs': 'Core/Alpine/Package',
    'Alpine/ApkResolverTests.cs': 'Core/Alpine/Resolution',
    'Alpine/ApkSolverVectorTests.cs': 'Core/Alpine/Resolution',
    'Alpine/ApkVersionTests.cs': 'Core/Alpine/Versions',
    'Alpine/TestData.cs': 'Fixtures/Alpine',
    'Alpine/Fixtures/ApkFixtures.cs': 'Fixtures/Alpine',
    'Alpine/Fixtures/FixtureRepository.cs': 'Fixtures/Alpine',
    'Alpine/Fixtures/FixtureTar.cs': 'Fixtures/Alpine',
    'Alpine/AlpineInstallerTests.cs': 'Engine/Families/Alpine',
    'Alpine/AlpineRecipeTests.cs': 'Engine/Families/Alpine',
    'Alpine/AlpineRepositoryClientTests.cs': 'Engine/Families/Alpine',
    'Alpine/ApkDataExtractorTests.cs': 'Engine/Families/Alpine',
    'Alpine/Rebuilds/AlpineBundleTests.cs': 'Scenarios/Rebuilds/Alpine',
    'Alpine/Rebuilds/AlpineCacheVerificationTests.cs': 'Scenarios/Rebuilds/Alpine',
    'Alpine/Rebuilds/AlpineLockedBuildTests.cs': 'Scenarios/Rebuilds/Alpine',
    'Alpine/Rebuilds/AlpineRebuildWorkspace.cs': 'Scenarios/Rebuilds/Alpine',
    'Architectures/ArchitectureSupportTests.cs': 'Core/Architectures',
    'Architectures/ForeignArchitectureBuildTests.cs': 'Scenarios/Architectures',
    'Archives/ArReaderTests.cs': 'Engine/Archives',
    'Archives/ArchiveTestSupport.cs': 'Engine/Archives',
    'Archives/ImagePackerTests.cs': 'Engine/Archives',
    'Archives/SafeExtractorHostileTests.cs': 'Engine/Archives',
    'Archives/SafeExtractorTests.cs': 'Engine/Archives',
    'Archives/UnpackLimitTests.cs': 'Engine/Archives',
    'Archives/DebArchiveTests.cs': 'Engine/Families/Debian/Deb',
    'Archives/DecodedDataCacheTests.cs': 'Engine/Families/Debian/Deb',
    'Archives/DecompressionTests.cs': 'Engine/Compression',
    'Archives/OffloadingWriteStreamTests.cs': 'Engine/Streams',
    'Cli/ProgressLineTests.cs': 'Cli/Console',
    'Customization/CustomizationLogicTests.cs': 'Core/Customization',
    'Customization/CustomizationRecipeTests.cs': 'Core/Customization',
    'Debian/DebVersionDifferentialTests.cs': 'Core/Debian/Versions',
    'Debian/DebVersionTests.cs': 'Core/Debian/Versions',
    'Debian/ResolverRelationParsingTests.cs': 'Core/Debian/Control',
    'Debian/ResolverIndexReaderTests.cs': 'Core/Debian/Control',
    'Debian/ResolverAlternativeTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverCacheOrderTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverConflictAndExcludeTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverPinTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverSetAsideTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverSnapshotTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverTestUniverse.cs': 'Core/Debian/Resolution',
    'Debian/ResolverUniverseTests.cs': 'Core/Debian/Resolution',
    'Debian/ResolverVariantTests.cs': 'Core/Debian/Resolution',
    'Images/Dep5CopyrightTests.cs': 'Core/Debian/Copyright',
    'Images/ImageDiffTests.cs': 'Core/Images/Diff',
    'Images/CycloneDxDocumentTests.cs': 'Core/Images/Sbom',
    'Images/CycloneDxSchema.cs': 'Core/Images/Sbom',
    'Images/HostSbomTests.cs': 'Core/Images/Sbom',
    'Images/PackageUrlTests.cs': 'Core/Images/Sbom',
    'Images/SpdxDocumentTests.cs': 'Core/Images/Sbom',
    'Images/SpdxLicenseListTests.cs': 'Core/Images/Sbom',
    'Images/SpdxLicenseTests.cs': 'Core/Images/Sbom',
    'Images/SpdxSchema.cs': 'Core/Images/Sbom',
    'Images/TestVersionOrder.cs': 'Fixtures',
    'Install/ChrootTests.cs': 'Engine/Families/Debian/Install',
    'Install/DpkgUnpackRecordTests.cs': 'Engine/Families/Debian/Install',
    'Install/HostileRootLinkTests.cs': 'Engine/Families/Debian/Install',
    'Install/InstallOrderTests.cs': 'Engine/Families/Debian/Install',
    'Install/InstallerValidationTests.cs': 'Engine/Families/Debian/Install',
    'Install/RecordEligibilityTests.cs': 'Engine/Families/Debian/Install',
    'Install/StageOneDirectoriesTests.cs': 'Engine/Families/Debian/Install',
    'Install/FinalizeTests.cs': 'Engine/Families/Debian/Finalize',
    'Install/HostSideSymlinkTests.cs': 'Engine/Families/Debian/Finalize',
    'Install/ProcessRunnerTests.cs': 'Engine/Os/Processes',
    'Install/OneDoorForRootPathsTests.cs': 'Conventions',
    'Locking/LockDriftTests.cs': 'Core/Locking',
    'Locking/LockFileTests.cs': 'Core/Locking',
    'Mirrors/HostMirrorFailureTests.cs': 'Engine/Net/Mirrors',
    'Mirrors/MirrorResolverTests.cs': 'Engine/Net/Mirrors',
    'Oci/OciImageWriterTests.cs': 'Engine/Oci',
    'Oci/OciIndexWriterTests.cs': 'Engine/Oci',
    'Oci/OciTestImages.cs': 'Engine/Oci',
    'Oci/PushTests.cs': 'Engine/Oci/Registry',
    'Oci/RegistryAuthTests.cs': 'Engine/Oci/Registry',
    'Oci/RecipeImageTests.cs': 'Core/Recipes',
    'Pipeline/BadInputTests.cs': 'Engine/Pipeline',
    'Pipeline/HostileBuildTests.cs': 'Engine/Pipeline',
    'Pipeline/HostileIndexTests.cs': 'Engine/Pipeline',
    'Pipeline/StallingMirrorBuildTests.cs': 'Engine/Pipeline',
    'Pipeline/TestDebs.cs': 'Engine/Pipeline',
    'Recipes/ImageSettingsRecipeTests.cs': 'Core/Recipes',
    'Recipes/RecipeLoaderTests.cs': 'Core/Recipes',
    'Recipes/RecipeParsing.cs': 'Core/Recipes',
    'Recipes/UsageLineTests.cs': 'Cli/Commands',
    'Repository/DeadMirrorTests.cs': 'Engine/Net/Http',
    'Repository/DownloaderTests.cs': 'Engine/Net/Http',
    'Repository/HostAptSourcesTests.cs': 'Engine/Families/Debian/Repository',
    'Repository/IndexCacheTests.cs': 'Engine/Families/Debian/Repository',
    'Repository/RepositoryClientTests.cs': 'Engine/Families/Debian/Repository',
    'Repository/OpenPgpInteropTests.cs': 'Core/OpenPgp',
    'Repository/OpenPgpVerifierTests.cs': 'Core/OpenPgp',
    'Repository/ReleaseFileTests.cs': 'Core/Debian/Control',
    'Repository/RepositoryPathTests.cs': 'Core/Planning',
    'Staging/StagingDirectoryRuleTests.cs': 'Core/Staging',
    'Staging/StagingDirectoryRefusalTests.cs': 'Engine/Pipeline',
    'Staging/OtherUserTests.cs': 'Engine/Pipeline',
    'Staging/StagingWorkspace.cs': 'Engine/Pipeline',
    'Ubuntu/UbuntuImageFilesTests.cs': 'Engine/Families/Debian/Finalize',
    'Ubuntu/UbuntuRepositoryTests.cs': 'Scenarios/Ubuntu',
}
# Data files move with the fixture that finds them (Fixtures/Alpine/TestData.cs).
if os.path.isdir(T + 'Alpine/Data'):
    os.makedirs(T + 'Fixtures/Alpine', exist_ok=True)
    subprocess.run(['git', 'mv', T + 'Alpine/Data', T + 'Fixtures/Alpine/Data'], check=True)
for d in ['Rebuilds']:
    for f in sorted(os.listdir(T + d)) if os.path.isdir(T + d) else []:
        if f.endswith('.cs'): MOVES[f'{d}/{f}'] = 'Scenarios/Rebuilds'

def ns_of(folder): return 'Bootstrapper.Tests' + ''.join('.' + p for p in folder.split('/') if p)
NS = re.compile(r'^namespace ([\w.]+);', re.M)
renamed = {}  # old namespace -> set of new namespaces
moved_from = {}  # new path -> namespace it had before
for old, folder in MOVES.items():
    src, dst = T + old, f'{T}{folder}/{os.path.basename(old)}'
    if not os.path.exists(src): continue
    text = open(src).read()
    old_ns = NS.search(text).group(1)
    new_ns = ns_of(folder)
    renamed.setdefault(old_ns, set()).add(new_ns)
    moved_from[dst] = old_ns
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    subprocess.run(['git', 'mv', src, dst], check=True)
    open(dst, 'w').write(NS.sub(f'namespace {new_ns};', text, count=1))
# Every test file that lived in, or used, a namespace whose files moved gets a using for each place they went.
for path in subprocess.run(['git', 'ls-files', 'tests/*.cs'], capture_output=True, text=True).stdout.split():
    if not os.path.exists(path): continue
    text = open(path).read()
    m = NS.search(text)
    if not m: continue
    used = {m.group(1), moved_from.get(path, '')} | set(re.findall(r'^using ([\w.]+);', text, re.M))
    # A namespace also reaches its parents' types (Bootstrapper.Tests.Alpine sees Bootstrapper.Tests).
    wanted = set()
    for old_ns, new in renamed.items():
        if any(u == old_ns or u.startswith(old_ns + '.') for u in used): wanted |= new
    for old_ns in renamed:
        text = re.sub(rf'^using {re.escape(old_ns)};\n', '', text, flags=re.M)
    # using static of a moved type names its new namespace.
    for new_path, old_ns in moved_from.items():
        cls = os.path.basename(new_path)[:-3]
        text = text.replace(f'using static {old_ns}.{cls};', f'using static {ns_of(os.path.dirname(new_path)[len(T):])}.{cls};')
    wanted.discard(m.group(1))
    have = set(re.findall(r'^using ([\w.]+);', text, re.M))
    add = ''.join(f'using {n};\n' for n in sorted(wanted - have))
    open(path, 'w').write(add + text)
