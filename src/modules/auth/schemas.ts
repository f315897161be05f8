/** @module Sign-up and login form inputs. */
import * as v from 'valibot'
import { Email, FullName, Password } from '../../lib/validate'

export const SignupInput = v.object({
  full_name: FullName,
  email: Email,
  password: Password,
  organization_name: v.pipe(
    v.string('Organization name is required'),
    v.trim(),
    v.minLength(1, 'Organization name is required'),
    v.maxLength(200, 'Organization name must be at most 200 characters'),
  ),
})
export type SignupInput = v.InferOutput<typeof SignupInput>

export const LoginInput = v.object({
  email: v.pipe(
    v.string('Email is required'),
    v.trim(),
    v.toLowerCase(),
    v.minLength(1, 'Email is required'),
    v.maxLength(254, 'Email is too long'),
  ),
  password: v.pipe(v.string('Password is required'), v.minLength(1, 'Password is required'), v.maxLength(200, 'Password is too long')),
})
export type LoginInput = v.InferOutput<typeof LoginInput>
