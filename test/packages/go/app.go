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

func main() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})

	token := cdkcodeartifacttoken.NewCodeArtifactAuthorizationToken(stack, jsii.String("Token"), &cdkcodeartifacttoken.CodeArtifactAuthorizationTokenProps{
		Domain:        jsii.String("my-domain"),
		TokenDuration: awscdk.Duration_Hours(jsii.Number(8)),
	})
	project := awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil)
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

	issuers := ofType("Custom::CodeArtifactAuthorizationToken")
	check(len(issuers) == 1 && issuers[0].Properties["DurationSeconds"] == "28800",
		"the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers)

	schedules := ofType("AWS::SecretsManager::RotationSchedule")
	var expression interface{}
	if len(schedules) == 1 {
		expression = schedules[0].Properties["RotationRules"].(map[string]interface{})["ScheduleExpression"]
	}
	check(expression == "rate(4 hours)" && token.RotationInterval().ToHours(nil) != nil && *token.RotationInterval().ToHours(nil) == 4,
		"8-hour tokens rotate every 4 hours (rate(4 hours))", expression)

	functions := ofType("AWS::Lambda::Function")
	check(len(functions) == 1, "exactly one Lambda function", len(functions))

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

	granted := false
	for _, policy := range ofType("AWS::IAM::Policy") {
		if !reflect.DeepEqual(policy.Properties["Roles"], []interface{}{map[string]interface{}{"Ref": roleID}}) {
			continue
		}
		for _, s := range policy.Properties["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
			statement := s.(map[string]interface{})
			actions, _ := statement["Action"].([]interface{})
			for _, a := range append(actions, statement["Action"]) {
				if a == "secretsmanager:GetSecretValue" && reflect.DeepEqual(statement["Resource"], map[string]interface{}{"Ref": secretID}) {
					granted = true
				}
			}
		}
	}
	check(granted, "the CodeBuild project's role may secretsmanager:GetSecretValue on the token's secret", roleID)

	fmt.Printf("go: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
