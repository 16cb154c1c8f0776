// The only module that imports the CDK core, so the library can move between cdktf (archived by HashiCorp on
// 2025-12-10) and its maintained fork cdktn (same API, constructs 10.6–10.7): change 'cdktf' to 'cdktn' on the
// `from` line below and nothing else. test/cdktf/core-switch.test.ts checks no other file imports the core.
export {
  App,
  booleanToHclTerraform,
  booleanToTerraform,
  Fn,
  hashMapper,
  hashMapperHcl,
  listMapper,
  listMapperHcl,
  numberToHclTerraform,
  numberToTerraform,
  stringToHclTerraform,
  stringToTerraform,
  TerraformDataSource,
  type TerraformMetaArguments,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
} from 'cdktf';
