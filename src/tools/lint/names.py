"""Given names used to recognise a person in prose, and tech names that look like people.

Blame detection needs to tell "Sam forgot to renew the cert" (a person) from "Jenkins failed
to deploy" (a CI server) without the incident's chat. The list is deliberately broad across
cultures and deliberately omits given names that are also common English words ("Will",
"Mark", "Grant", "June"), because a false person turns an ordinary sentence into blame.
"""

from __future__ import annotations

_GIVEN = """
aaliyah aaron abdul abdullah abebe abigail abiodun abu ada adaeze adam adebayo adel adele adeola adil aditi aditya
adrian adriana afua agnes ahmad ahmed aidan aiko aisha akira akosua alan alba albert alberto alejandra alejandro alex
alexa alexander alexandra alexei alexis alfonso ali alice alicia alina alison amal amanda amara amber amelia amelie
amina amir amit amy ana anand anastasia anders andre andrea andreas andrei andres andrew andy aneesh angela angelo anika
anil anita anjali ann anna anne annika anton antonio anya aoife arash archie ari ariana arjun arnav arne arthur arun
arvid asha ashish ashley astrid ayaan ayako ayesha ayumi babajide barbara bashir beatriz beatrice becky ben benedikt
benjamin bernard bernardo beth bettina bianca bilal bjorn björn blessing bogdan boris brad bradley brandon brenda brian
bridget bruno bryan caio caitlin camila camille carina carl carla carlos carmen carol caroline carolina casey cathal
catherine cecilia cedric celine chandra charles charlie charlotte chen cheng chiamaka chidi chinedu chioma chloe chris
christian christina christine christopher chuck claire clara claudia colin connor conor constantin cristina cynthia
dalia damian dan dana daniel daniela danielle daria dario darius darren dave david davide dawit debbie deepak deepika
denis dennis derek desmond diana diego dimitri dina divya dmitri dmitry dominic dominik donald dorothy doug douglas
duc duncan dylan ebony ed eddie edgar eduardo edward efua ejike elena eleni eli elias elif elijah elin elisa elisabeth
eliza elizabeth ella ellen elsa emeka emil emily emma emmanuel enrique eric erik erika erin esther ethan eugene eva
evan evelyn ewa fabian fabio farah farhan farid fatima fatma federica federico felipe felix femi fernanda fernando
filip finn fiona florian francesca francesco francisco franz freya gabriel gabriela gabriele gary gaurav gemma
georg george georgia gerald gianluca gina giorgio giovanni giulia giuseppe glen gloria gonzalo gordon grace graham
greg gregor gregory greta gustavo gwen hakan hamid hamza hana hania hannah hans harish harold harry harvey hassan
heather hector heidi helen helena henrik henry hiro hiroshi hiroko hoang holly hossein hugo hui ian ibrahim ida idris
ifeoma ignacio igor ilse ilya imani imran ines inês inga ingrid irene irina isaac isabel isabella isabelle ishaan
ismail ivan ivana jack jacob jacqueline jake jakub james jamie jan jana jane janet janice jasmine jason javier jayden
jean jeff jeffrey jen jenna jennifer jenny jeremy jerome jesper jessica jesus jiho jill jin jing jo joachim joan joana
joanna joao joão joel johan johanna john jon jonas jonathan jordan jorge jose josé josef joseph josephine josh joshua
juan judith julia julian juliana julie julien jun jurgen jürgen justin kaito kamal kamala kara karen kari karim karin
karina karl karthik kasia kate katarina katarzyna katherine kathryn katie katja kavya kayode keith kelly ken kenji
kenneth kevin khalid kim kimberly kirsten klaus kofi kojo kolya kostas kris kristen kristina kunal kwabena kwame kyle
lakshmi lara larry lars laszlo laura lauren laurent layla leah lee leila lena leo leon leonardo leonie lars lewis
liam lina linda lindsay ling lisa liv liz lorenzo louis louise luca lucas lucia luciana lucy luis luisa lukas luke
lydia lyudmila madeleine madison magdalena magnus mai maja malik manuel marc marcel marcela marco marcos marcus
margaret margot maria mariam marie marina mario marisa marissa marius marta martha martin martina mary mason mateo
mateus matias matt matteo matthew matthias maurice maya megan mehmet mei melanie melissa mia michael michaela michal
michelle miguel mika mikael mike mikhail mila milan milena min mina miriam mohamed mohammad mohammed monica morgan
moritz moses muhammad musa nadia nadine nanami naomi natalia natalie natasha nathan nathaniel navid neha neil nelson
nia nicholas nicola nicolas nicole niels nikhil nikita nikolai nikolaos nils nina noah noor nora nuno obinna oleg
olga oliver olivia olu olufemi oluwaseun omar oren oscar oskar owen pablo paolo parisa pat patricia patrick paul paula
paulo pavel pedro per peter petra philip philipp phillip pierre pietro pilar pooja prakash pranav preeti priti priya
priyanka qiang rachel rafael rafal rahul raj rajesh ralph ramesh ramon rana rania raquel rashid ravi raymond rebecca
reza ricardo richard rick rishi rita rob robert roberta roberto robin rodrigo rohan roman ronald rosa rosie ross ruth
ryan ryo sabine sachin sadia saeed sahil sakura salma sam samantha sameer samir samuel sana sandeep sandra sanjay sara
sarah sasha satoshi scott sean sebastian sergei sergey sergio seun shanice shankar sharon shauna sheila shira shirin
shreya simon simone sina siobhan sofia sofía sophia sophie soren søren stacy stefan stefanie stefano stella stephanie
stephen steve steven sunil susan sven svetlana takashi takeshi tamara tanya tara tariq tatiana ted teresa thabo thandiwe
theo theresa thomas tiago tim timothy tina tobias todd tom tomas tomasz tommy tony tracy travis trevor tyler uchenna
ulrich uma umar usman valentina valeria valerie vanessa varun vera veronica victoria vijay vikram vincent vinod
vivek vladimir walter wanjiru wei wen wendy will william wojciech xavier xin yan yara yasmin yasmine yemi yeon yitzhak
yoshi yuki yuko yuri yusuf yves zainab zanele zara zeynep zhang zhou zoe zoltan
"""

# Given names that are also ordinary English words; a sentence starting "Will the..." is no person.
_NOT_NAMES = {"will"}

GIVEN_NAMES: frozenset[str] = frozenset(_GIVEN.split()) - _NOT_NAMES

# Products, services and assistants whose names look like people's. A sentence about one of
# them ("Jenkins failed to deploy", "Cassandra dropped writes") is never blame.
TECH_NAMES: frozenset[str] = frozenset(
    """
    ada alexa alfred airflow akamai ansible apollo argo artemis athena atlas aurora auth0 bard bamboo beam
    buildkite calico cassandra celery ceph chef cilium claude cline cody consul copilot cortana cortex dagster datadog
    devin django docker drone elastic elasticsearch envoy etcd falco fastly flink flux gemini goose grafana hadoop harbor
    helm heroku hermes hive honeycomb hudson istio jaeger jarvis jenkins jira julia juno kafka kibana kiro kubernetes
    lambda linkerd llama loki luigi mailgun memcached mercury minerva mimir mistral mongo netlify nginx nomad okta
    opsgenie orion pagerduty phoenix prefect presto prometheus puppet quay rails redis resque rollbar ruby sentry sidekiq
    siri slack spark spinnaker splunk storm stripe tabnine tay tekton tempo terraform thanos travis trino twilio
    vault vercel vitess watson zeus zipkin zookeeper zoom
    """.split()
)


def is_given_name(token: str) -> bool:
    return token.lower() in GIVEN_NAMES and token.lower() not in TECH_NAMES
