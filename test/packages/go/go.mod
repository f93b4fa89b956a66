// A CDK app in Go, as `cdk init app --language go` lays one out, on the package that
// `npx projen package:go` generates into dist/go. go.sum is committed, so run.sh needs no checksum
// database. After a change of versions here or of aws-cdk-lib in .projenrc.ts, refresh it with
//   GONOSUMDB=github.com/aws/aws-cdk-go go mod tidy
// (after `npx projen package:go`): sum.golang.org answers 404 for github.com/aws/aws-cdk-go/awscdk/v2
// v2.257.0, although the module proxy serves it, so its hashes can only come from the proxy.
module example.com/consumer

go 1.25.0

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.257.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk-codeartifact-token/cdk-codeartifact-token-go/cdkcodeartifacttoken v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.5.1 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.273 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.28.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The package under test: the source that `npx projen package:go` generated.
replace github.com/cdk-codeartifact-token/cdk-codeartifact-token-go/cdkcodeartifacttoken => ../../../dist/go/cdkcodeartifacttoken

// aws-cdk-go v2.257.0 asks for these two, which the module proxy refuses (403 "This module version is
// not available") and lists no versions of: the nearest versions it serves stand in. They hold the jsii
// bundles of @aws-cdk/asset-node-proxy-agent-v6 and @aws-cdk/cloud-assembly-schema. aws-cdk-lib 2.257.0
// asks for ^2.1.1 and ^53.25.0: v2.1.2 fits, v53.0.0 is older than asked (v53.25.0 is refused too), yet
// the template this app synthesizes with it was identical to the Python app's, which gets PyPI's versions.
replace github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 => github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.2

replace github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 => github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.0.0
