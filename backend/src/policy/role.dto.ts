/**
 * Request bodies of the roles API (class-validator; the global ValidationPipe answers 400 naming the field, e.g.
 * `policy.requiredTypes must not be greater than 4`). The role decider validates again (the domain's own rules,
 * such as UnlockAnyAccount needing UnlockAccount) and normalises.
 */
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  MAX_AUTHENTICATION_TYPES,
  MAX_PRIORITY,
  MAX_SECURITY_QUESTIONS,
  PERMISSIONS,
  type Permission,
  POLICY_MODES,
  type PolicyMode,
  type RoleDefinition,
} from './role';

export class MappedGroupDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  group!: string;
}

export class RoleScopeDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  storeIds!: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  baseDns?: string[];
}

export class HelpdeskPolicyDto {
  @IsIn(POLICY_MODES)
  mode!: PolicyMode;

  @IsInt()
  @Min(0)
  @Max(MAX_AUTHENTICATION_TYPES)
  requiredTypes!: number;

  @IsInt()
  @Min(0)
  @Max(MAX_SECURITY_QUESTIONS)
  minSecurityQuestions!: number;
}

export class RoleDefinitionDto implements RoleDefinition {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority!: number;

  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MappedGroupDto)
  mappedGroups!: MappedGroupDto[];

  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions!: Permission[];

  @ValidateNested()
  @Type(() => RoleScopeDto)
  scope!: RoleScopeDto;

  @ValidateNested()
  @Type(() => HelpdeskPolicyDto)
  policy!: HelpdeskPolicyDto;
}

export class CreateRoleDto extends RoleDefinitionDto {
  /** Optional; derived from the name when absent (`Helpdesk agent` → `helpdesk-agent`). */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    message: 'roleId must be 1-64 characters of letters, digits, _ . - (starting with a letter or digit)',
  })
  roleId?: string;
}

/** A plain RoleDefinition (no class instances, no extra keys) for the decider and the event. */
export function toDefinition(dto: RoleDefinitionDto): RoleDefinition {
  return {
    name: dto.name,
    priority: dto.priority,
    mappedGroups: dto.mappedGroups.map((g) => ({ storeId: g.storeId, group: g.group })),
    permissions: [...dto.permissions],
    scope: { storeIds: [...dto.scope.storeIds], ...(dto.scope.baseDns ? { baseDns: [...dto.scope.baseDns] } : {}) },
    policy: {
      mode: dto.policy.mode,
      requiredTypes: dto.policy.requiredTypes,
      minSecurityQuestions: dto.policy.minSecurityQuestions,
    },
  };
}
