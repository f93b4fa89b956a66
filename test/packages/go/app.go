// A CDK app in Go, as `cdk init app --language go` lays one out, against the package that
// jsii-pacmak generated (dist/go, wired in by the replace in go.mod). It synthesizes, then reads the
// template JSON from the cloud assembly and checks what the construct must have put there.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-codeartifact-token/cdk-codeartifact-token-go/cdkcodeartifacttoken"
)

type resource struct {
	Type       string
	Properties map[string]interface{}
}

var passed, failed int

func check(ok bool, name string, got interface{}) {
	if ok {
		passed++
		fmt.Println("ok -", name)
	} else {
		failed++
		fmt.Printf("FAIL - %s (got %v)\n", name, got)
	}
}

// holds tells whether a statement's Action or Resource, a single value or a list, holds want.
func holds(value interface{}, want interface{}) bool {
	values, isList := value.([]interface{})
	if !isList {
		values = []interface{}{value}
	}
	for _, v := range values {
		if reflect.DeepEqual(v, want) {
			return true
		}
	}
	return false
}

// statementsOf gives the statements of the policies attached to exactly one role.
func statementsOf(policies []resource, roleID string) (statements []map[string]interface{}) {
	for _, policy := range policies {
		if !reflect.DeepEqual(policy.Properties["Roles"], []interface{}{map[string]interface{}{"Ref": roleID}}) {
			continue
		}
		for _, s := range policy.Properties["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
			statements = append(statements, s.(map[string]interface{}))
		}
	}
	return statements
}

func main() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})

	// A release build: it reads "shared" and uploads its binaries to "releases" as generic packages.
	token := cdkcodeartifacttoken.NewCodeArtifactAuthorizationToken(stack, jsii.String("Token"), &cdkcodeartifacttoken.CodeArtifactAuthorizationTokenProps{
		Domain:        jsii.String("my-domain"),
		Repositories:  jsii.Strings("shared", "releases"),
		Access:        cdkcodeartifacttoken.RepositoryAccess_READ_AND_PUBLISH,
		TokenDuration: awscdk.Duration_Hours(jsii.Number(8)),
		// Secrets Manager's own schedule at its 4-hour minimum (without it, 8-hour tokens rotate through EventBridge Scheduler)
		RotationInterval: awscdk.Duration_Hours(jsii.Number(4)),
	})
	uploadURL := token.RepositoryEndpoint(jsii.String("releases"), cdkcodeartifacttoken.PackageFormat_GENERIC)
	project := awscodebuild.NewPipelineProject(stack, jsii.String("Build"), &awscodebuild.PipelineProjectProps{
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
			"RELEASES_URL": {Value: uploadURL},
		},
	})
	token.GrantRead(project)

	assembly := app.Synth(nil)

	raw, err := os.ReadFile(*assembly.GetStackArtifact(jsii.String("Consumer")).TemplateFullPath())
	if err != nil {
		panic(err)
	}
	var template struct{ Resources map[string]resource }
	if err := json.Unmarshal(raw, &template); err != nil {
		panic(err)
	}
	ofType := func(t string) (found []resource) {
		for _, r := range template.Resources {
			if r.Type == t {
				found = append(found, r)
			}
		}
		return found
	}
	secretID := *stack.GetLogicalId(token.Secret().Node().DefaultChild().(awscdk.CfnElement))
	roleID := *stack.GetLogicalId(project.Role().Node().DefaultChild().(awscdk.CfnElement))
	issuerRoleID := *stack.GetLogicalId(token.IssuerRole().Node().DefaultChild().(awscdk.CfnElement))
	issuerRoleArn := map[string]interface{}{"Fn::GetAtt": []interface{}{issuerRoleID, "Arn"}}

	check(*uploadURL == "https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/generic/releases/",
		"RepositoryEndpoint gives the generic endpoint of releases", *uploadURL)
	check(reflect.DeepEqual(*token.Repositories(), []*string{jsii.String("shared"), jsii.String("releases")}) &&
		token.Access() == cdkcodeartifacttoken.RepositoryAccess_READ_AND_PUBLISH,
		"the token keeps its repositories and access", token.Access())

	issuers := ofType("Custom::CodeArtifactAuthorizationToken")
	check(len(issuers) == 1 && issuers[0].Properties["DurationSeconds"] == "28800",
		"the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers)
	check(len(issuers) == 1 && issuers[0].Properties["Repositories"] == "shared releases" && issuers[0].Properties["Access"] == "read-and-publish",
		"the custom resource issues for shared and releases, read-and-publish", issuers)

	roles := ofType("AWS::IAM::Role")
	check(len(roles) == 3, "three roles: the handler's, the issuer's and the CodeBuild project's", len(roles))

	schedules := ofType("AWS::SecretsManager::RotationSchedule")
	var expression interface{}
	if len(schedules) == 1 {
		expression = schedules[0].Properties["RotationRules"].(map[string]interface{})["ScheduleExpression"]
	}
	check(expression == "rate(4 hours)" && token.RotationInterval().ToHours(nil) != nil && *token.RotationInterval().ToHours(nil) == 4,
		"8-hour tokens rotate every 4 hours (rate(4 hours))", expression)

	functions := ofType("AWS::Lambda::Function")
	check(len(functions) == 1, "exactly one Lambda function", len(functions))
	var environment interface{}
	if len(functions) == 1 {
		environment = functions[0].Properties["Environment"].(map[string]interface{})["Variables"]
	}
	variables, _ := environment.(map[string]interface{})
	check(reflect.DeepEqual(variables["ISSUER_ROLE_ARN"], issuerRoleArn),
		"the handler is given the issuer role's ARN (ISSUER_ROLE_ARN)", environment)

	// The handler asset must have travelled inside the Go package's embedded jsii tarball.
	var assetFile string
	if len(functions) == 1 {
		key, _ := functions[0].Properties["Code"].(map[string]interface{})["S3Key"].(string)
		if len(key) > 4 {
			assetFile = filepath.Join(*assembly.Directory(), "asset."+key[:len(key)-4], "index.js")
		}
	}
	_, statErr := os.Stat(assetFile)
	check(assetFile != "" && statErr == nil, "the bundled handler is in the cloud assembly", assetFile)

	packageWildcard := map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{
		"arn:", map[string]interface{}{"Ref": "AWS::Partition"}, ":codeartifact:eu-west-1:111122223333:package/my-domain/releases/*",
	}}}
	publishes := false
	// The issuer's rights fill its inline policy first, then managed policies.
	for _, statement := range statementsOf(append(ofType("AWS::IAM::Policy"), ofType("AWS::IAM::ManagedPolicy")...), issuerRoleID) {
		publishes = publishes || (holds(statement["Action"], "codeartifact:PublishPackageVersion") && holds(statement["Resource"], packageWildcard))
	}
	check(publishes, "the issuer role may codeartifact:PublishPackageVersion on package/my-domain/releases/*", issuerRoleID)

	// What the domain owner's repository policy would hold, were the domain in another account.
	repositoryStatement, _ := stack.Resolve(token.RepositoryPolicyStatement().ToStatementJson()).(map[string]interface{})
	principal, _ := repositoryStatement["Principal"].(map[string]interface{})
	check(reflect.DeepEqual(principal["AWS"], issuerRoleArn) && holds(repositoryStatement["Action"], "codeartifact:PublishPackageVersion"),
		"RepositoryPolicyStatement lets the issuer role publish", repositoryStatement)

	granted := false
	for _, statement := range statementsOf(ofType("AWS::IAM::Policy"), roleID) {
		if holds(statement["Action"], "secretsmanager:GetSecretValue") && reflect.DeepEqual(statement["Resource"], map[string]interface{}{"Ref": secretID}) {
			granted = true
		}
	}
	check(granted, "the CodeBuild project's role may secretsmanager:GetSecretValue on the token's secret", roleID)

	fmt.Printf("go: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
