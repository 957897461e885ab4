//! Names an Apex type reference may use without the org defining them: the System namespace
//! and other platform namespaces (first segment of a qualified name), and standard sObjects.
//! The list is deliberately broad (real Apex from the shared fixtures compiles against it);
//! anything else must be an Apex class, an inner type or a custom object of the org or package.

use std::collections::HashSet;
use std::sync::LazyLock;

const NAMES: &str = "
system string integer long double decimal boolean date datetime time id blob object sobject
list map set iterable iterator exception database schema test math json jsonparser jsongenerator
jsontoken limits userinfo encodingutil crypto http httprequest httpresponse pagereference
apexpages messaging type url pattern matcher label assert comparable queueable queueablecontext
schedulable schedulablecontext batchable batchablecontext finalizer finalizercontext callable
restcontext restrequest restresponse savepoint httpcalloutmock staticresourcecalloutmock
multistaticresourcecalloutmock webservicemock webservicecallout selectoption aggregateresult
cookie timezone address location dom xmlstreamreader xmlstreamwriter xmltag xmlnode component
site network cache eventbus connectapi auth approval flow process trigger triggeroperation
sobjecttype sobjectfield describesobjectresult describefieldresult describetabresult
describetabsetresult describecolorresult describeiconresult displaytype soaptype fieldset
fieldsetmember recordtypeinfo childrelationship picklistentry accessleveltype accesstype
sobjectaccessdecision security businesshours version quiddity request dataweave formula
formulaeval invocable invocablemethod invocablevariable remoteaction auraenabled
supportedsobjectfields orgwideemailaddress emailtemplate folder document attachment note
contentversion contentdocument contentdocumentlink contentnote contentworkspace
contentdistribution feeditem feedcomment feedattachment collaborationgroup
collaborationgroupmember topic topicassignment entitysubscription group groupmember
queuesobject recordtype profile permissionset permissionsetassignment permissionsetgroup
permissionsetlicense permissionsetlicenseassign userlicense user userrole userteammember
userpreference territory organization apexclass apextrigger apexpage apexcomponent apextestqueueitem
apextestresult asyncapexjob crontrigger crondetail cronjobdetail emailmessage emailservicesaddress
staticresource account contact lead opportunity opportunitylineitem opportunitycontactrole
opportunityhistory opportunityfieldhistory opportunitystage opportunityteammember
opportunitysplit opportunitycompetitor opportunitypartner case casecomment casecontactrole
casehistory caseteammember casesolution solution task event eventrelation taskrelation
campaign campaignmember campaignmemberstatus campaigninfluence product2 pricebook2
pricebookentry quote quotelineitem quotedocument contract contractlineitem contractcontactrole
order orderitem asset assetrelationship entitlement entitlementcontact servicecontract
milestonetype casemilestone accountcontactrelation accountcontactrole accountteammember
accountshare accounthistory accountpartner partner contactshare leadshare opportunityshare
caseshare contacthistory leadhistory leadstatus casestatus taskstatus taskpriority
holiday period fiscalyearsettings businessprocess duplicaterule duplicaterecordset
duplicaterecorditem matchingrule individual consent knowledgearticle knowledgearticleversion
idea ideacomment vote dashboard dashboardcomponent report reportfolder emailtemplatefolder
customnotificationtype messaging loginhistory authsession setupaudittrail fieldpermissions
objectpermissions setupentityaccess tabdefinition entitydefinition fielddefinition
customobjectuserlicensemetrics networkmember networkmembergroup communitypersonalization
processinstance processinstancestep processinstanceworkitem processinstancehistory
processdefinition flowinterview flowdefinitionview metadata platformcache
customsettings customlabel externalstring translation schemaclass deprecatedapi
dmlexception queryexception nullpointerexception listexception mathexception calloutexception
jsonexception stringexception typeexception securityexception assertexception
noaccessexception limitexception emailexception visualforceexception xmlexception
sobjectexception finalexception invalidparametervalueexception handledexception
illegalargumentexception asyncexception serializationexception searchexception
unexpectedexception requiredfeaturemissingexception nodatafoundexception
invalidheaderexception duplicatemessageexception licenseexception
";

static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| NAMES.split_whitespace().collect());

/// Whether the lower-cased `name` is a platform type or standard sObject.
pub fn is_builtin(lower: &str) -> bool {
    SET.contains(lower)
}
